using System.Globalization;
using System.Text;
using Teardown.Kernel;
using Teardown.Lab.Observation;
using Teardown.Lab.Wire;

namespace Teardown.Lab.Running;

/// <summary>
/// What the lab saw around a call that never returned, for the error message: the host's sockets in its kernel
/// and the last packets the wire took to or from it. A connect that hangs at t=0 (issue 11) has been seen rarely
/// and never reproduced; the next one must say whether its SYN left the host, was carried, and was answered.
/// </summary>
internal static class HangReport
{
    private const int LastPackets = 8;

    public static string Describe(LabHost host, IReadOnlyList<WirePacket> captured, long t0Ns)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{host.Name}'s kernel: ");
        IReadOnlyList<DiagSocket> sockets;
        try
        {
            sockets = host.Dump();
        }
        catch (IOException e)
        {
            sockets = [];
            text.Append("(sock_diag failed: ").Append(e.Message).Append(") ");
        }

        text.Append(sockets.Count == 0 ? "no TCP sockets" : string.Join(", ", sockets.Select(s => $"{s.State.ToLinuxName()} {s.Local}->{s.Remote}")));
        text.Append("; wire: ");
        List<WirePacket> mine = captured.Where(p => p.From == host.Name || p.To == host.Name).TakeLast(LastPackets).ToList();
        if (mine.Count == 0)
        {
            text.Append("no packet from or to ").Append(host.Name).Append(" since the run began");
            return text.ToString();
        }

        text.Append(string.Join("; ", mine.Select(p => Packet(p, t0Ns))));
        return text.ToString();
    }

    private static string Packet(WirePacket p, long t0Ns)
    {
        string what = p.Segment is { } s ? $"{s.Flags.ToString().Replace(", ", "|", StringComparison.Ordinal)} {s.Source.Port}->{s.Destination.Port}" : $"{p.Length}-byte non-TCP packet";
        string fate = p.Dropped ? "dropped" : p.DeliveredNs == 0 ? "not yet delivered" : $"delivered at {Seconds(p.DeliveredNs, t0Ns)}";
        return $"{Seconds(p.TimestampNs, t0Ns)} {p.From}->{p.To ?? "?"} {what} {fate}";
    }

    private static string Seconds(long ns, long t0Ns) => ((ns - t0Ns) / 1e9).ToString("+0.0000 s;-0.0000 s", CultureInfo.InvariantCulture);
}
