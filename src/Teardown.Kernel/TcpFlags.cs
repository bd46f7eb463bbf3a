using System.Text;

namespace Teardown.Kernel;

/// <summary>TCP header flags, with the bit values of the wire format (RFC 9293 §3.1).</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}

/// <summary>The tcpdump/packetdrill notation used by scenarios: <c>S.</c>, <c>F.</c>, <c>R</c>, <c>P.</c>, <c>.</c>.</summary>
public static class TcpFlagsNotation
{
    /// <summary>Formats flags as tcpdump does: S, F, R, P, U in that order, then "." for ACK.</summary>
    public static string ToNotation(this TcpFlags flags)
    {
        var sb = new StringBuilder(4);
        if ((flags & TcpFlags.Syn) != 0) sb.Append('S');
        if ((flags & TcpFlags.Fin) != 0) sb.Append('F');
        if ((flags & TcpFlags.Rst) != 0) sb.Append('R');
        if ((flags & TcpFlags.Psh) != 0) sb.Append('P');
        if ((flags & TcpFlags.Urg) != 0) sb.Append('U');
        if ((flags & TcpFlags.Ack) != 0) sb.Append('.');
        return sb.Length == 0 ? "none" : sb.ToString();
    }

    /// <summary>Parses the notation (any order of letters); returns false on an unknown character.</summary>
    public static bool TryParse(string text, out TcpFlags flags)
    {
        flags = TcpFlags.None;
        if (text.Length == 0) return false;
        foreach (char c in text)
        {
            TcpFlags f = char.ToUpperInvariant(c) switch
            {
                'S' => TcpFlags.Syn,
                'F' => TcpFlags.Fin,
                'R' => TcpFlags.Rst,
                'P' => TcpFlags.Psh,
                'U' => TcpFlags.Urg,
                '.' => TcpFlags.Ack,
                _ => (TcpFlags)0xFF,
            };
            if (f == (TcpFlags)0xFF || (flags & f) != 0) return false;
            flags |= f;
        }

        return true;
    }
}
