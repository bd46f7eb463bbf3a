using Teardown.Lab.Wire;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Running;

/// <summary>
/// Turns what a run measured of itself — each line's lateness, each delivered packet's delay beyond its
/// link's — into the trace's <see cref="LabPrecision"/>, so that every kernel run says how well it kept time.
/// </summary>
internal static class PrecisionMeter
{
    public static LabPrecision Measure(IEnumerable<(long LateNs, string Where)> lateness, IReadOnlyList<WirePacket> packets, PrecisionBounds bounds, ScenarioTrace trace)
    {
        var lines = lateness.ToList();
        string? worst = lines.Count == 0 ? null : lines.MaxBy(l => l.LateNs).Where;
        DelayStats lineStats = DelayStats.Of(lines.Select(l => l.LateNs / 1000.0));

        // Loopback packets never cross the wire (the host's own stack carries them): not the wire's latency.
        DelayStats wire = DelayStats.Of(packets.Where(p => p.DeliveredNs > 0 && p.From != p.To).Select(p => (p.DeliveredNs - p.DueNs) / 1000.0));
        // A connect over a zero-delay link: SYN, SYN-ACK, ACK through the wire and two kernels, microseconds of work.
        DelayStats handshakes = DelayStats.Of(trace.OfType<CallTraced>()
            .Where(c => c.Line.Statement is ConnectCall k && c.Outcome.Errno == Errno.None && LinkDelay(trace.Scenario, k.Host, k.Peer) == TimeSpan.Zero)
            .Select(c => (c.Returned - c.At).TotalMicroseconds));
        return new LabPrecision(lineStats, wire, bounds, worst) { Handshakes = handshakes };
    }

    private static TimeSpan LinkDelay(Scenario scenario, string a, string b) =>
        scenario.Links.FirstOrDefault(l => (l.A == a && l.B == b) || (l.A == b && l.B == a))?.Delay ?? TimeSpan.Zero;
}

