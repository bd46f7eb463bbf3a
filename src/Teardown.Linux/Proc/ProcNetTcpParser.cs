using System.Buffers.Binary;
using System.Globalization;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Proc;

/// <summary>Counts from one /proc/net/tcp parse.</summary>
/// <param name="Records">Socket lines parsed.</param>
/// <param name="MalformedLines">Non-empty lines (other than the header) that could not be parsed.</param>
public readonly record struct ProcNetTcpSummary(int Records, int MalformedLines);

/// <summary>
/// Pure parser for <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> (the fallback when sock_diag is
/// unavailable), producing the same <see cref="SocketRecord"/> as the netlink path. Fields the text
/// does not carry (cookie, shutdown, cgroup, tcp_info, interface) are left unset in
/// <see cref="SocketRecord.Known"/>.
/// </summary>
/// <remarks>
/// <para>Line format (net/ipv4/tcp_ipv4.c:get_tcp4_sock, get_timewait4_sock, get_openreq4;
/// net/ipv6/tcp_ipv6.c:get_tcp6_sock):</para>
/// <code>
///   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
///    2: 0100007F:A063 0100007F:8DEA 08 00000000:00000001 00:00000000 00000000     0        0 37483 ...
/// </code>
/// <para>Addresses are the network-order 32-bit words printed with <c>%08X</c> as host integers,
/// so on little-endian hosts 127.0.0.1 reads <c>0100007F</c>. IPv6 prints its four words in order,
/// each byte-swapped the same way: ::1 reads <c>00000000000000000000000001000000</c>. Ports are
/// plain host-order hex. <c>st</c> is the state in hex; <c>tx_queue:rx_queue</c> hex bytes;
/// <c>tr</c> the timer kind and <c>tm->when</c> the time left in clock ticks (USER_HZ = 100, i.e.
/// 10 ms, via jiffies_delta_to_clock_t, although the kernel documentation says jiffies);
/// <c>retrnsmt</c> hex; <c>uid</c>, <c>timeout</c> and <c>inode</c> decimal.</para>
/// </remarks>
public static class ProcNetTcpParser
{
    /// <summary>Clock ticks per second for /proc (USER_HZ, fixed at 100 on every architecture Linux exports to userspace).</summary>
    public const int UserHz = 100;

    /// <summary>Parses the whole file text, appending one record per socket line.</summary>
    public static ProcNetTcpSummary Parse(ReadOnlySpan<char> text, byte family, List<SocketRecord> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int records = 0;
        int malformed = 0;
        bool header = true;
        foreach (var rawLine in text.EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            if (header)
            {
                header = false;
                if (line.StartsWith("sl", StringComparison.Ordinal))
                {
                    continue;
                }
            }

            if (TryParseLine(line, family, out var record))
            {
                into.Add(record);
                records++;
            }
            else
            {
                malformed++;
            }
        }

        return new ProcNetTcpSummary(records, malformed);
    }

    /// <summary>Parses one socket line (without the header).</summary>
    public static bool TryParseLine(ReadOnlySpan<char> line, byte family, out SocketRecord record)
    {
        record = default;
        record.Source = SocketSource.ProcNetTcp;
        record.Family = family;
        Span<Range> fields = stackalloc Range[18];
        int count = line.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 10 || !line[fields[0]].EndsWith(':'))
        {
            return false;
        }

        if (!TryParseEndpoint(line[fields[1]], family, out record.Local)
            || !TryParseEndpoint(line[fields[2]], family, out record.Remote)
            || !TryHexByte(line[fields[3]], out record.State)
            || !TryHexPair(line[fields[4]], out record.SendQ, out record.RecvQ)
            || !TryHexPair(line[fields[5]], out uint timer, out uint ticks)
            || !TryHex(line[fields[6]], out uint retransmits)
            || !uint.TryParse(line[fields[7]], NumberStyles.None, CultureInfo.InvariantCulture, out record.Uid)
            || !ulong.TryParse(line[fields[9]], NumberStyles.None, CultureInfo.InvariantCulture, out record.Inode)
            || timer > byte.MaxValue)
        {
            return false;
        }

        record.Timer = (byte)timer;
        record.TimerExpiresMs = (uint)Math.Min(uint.MaxValue, (ulong)ticks * (1000 / UserHz));
        record.Retrans = (byte)Math.Min(retransmits, byte.MaxValue);
        return true;
    }

    private static bool TryParseEndpoint(ReadOnlySpan<char> text, byte family, out InetEndpoint endpoint)
    {
        endpoint = default;
        int colon = text.IndexOf(':');
        int words = family == AddressFamilies.Inet ? 1 : 4;
        if (colon != words * 8 || !TryHex(text[(colon + 1)..], out uint port) || port > ushort.MaxValue)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < words; i++)
        {
            if (!TryHex(text.Slice(i * 8, 8), out uint word))
            {
                return false;
            }

            // The word was printed as a host integer; writing it back in host order restores the
            // kernel's in-memory (network-order) bytes.
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[(i * 4)..], word);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes[(i * 4)..], word);
            }
        }

        endpoint = new InetEndpoint(InetAddress.FromNetworkBytes(family, bytes), (ushort)port);
        return true;
    }

    private static bool TryHexPair(ReadOnlySpan<char> text, out uint first, out uint second)
    {
        second = 0;
        int colon = text.IndexOf(':');
        first = 0;
        return colon > 0 && TryHex(text[..colon], out first) && TryHex(text[(colon + 1)..], out second);
    }

    private static bool TryHexByte(ReadOnlySpan<char> text, out byte value) =>
        byte.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);

    private static bool TryHex(ReadOnlySpan<char> text, out uint value) =>
        uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
