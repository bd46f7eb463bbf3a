using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Lab.Reproduction;
using Teardown.Doctor.Tests.Support;
using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;

namespace Teardown.Doctor.Tests;

/// <summary>The doctor on a real population built in a private namespace: every class, exact counts, both socket sources.</summary>
public class LiveAccumulationTests
{
    private static readonly AccumulationPlan Plan = new()
    {
        LeakyServerUnread = 30, LeakyServerReadNotClosed = 12, StuckHandler = 9, StalePool = 25, HalfClosing = 7,
        NeverAccepted = 11, TimeWait = 150, Established = 5, PortRange = (40000, 40999),
        UnreachableFinWait1 = 4, UnreachableLastAck = 3, LeakSpread = TimeSpan.FromSeconds(1.2),
    };

    // What the plan must produce, class by class (AccumulationPlan documents each kind).
    private static Dictionary<SocketClass, int> Expected() => new()
    {
        // server :8080 never read + client pool (client side) + the half-closing client's server end
        [SocketClass.CloseWaitUnreadEof] = Plan.LeakyServerUnread + Plan.StalePool + Plan.HalfClosing,
        [SocketClass.CloseWaitReadNotClosed] = Plan.LeakyServerReadNotClosed,
        [SocketClass.CloseWaitUnreadData] = Plan.StuckHandler,
        [SocketClass.CloseWaitNeverAccepted] = Plan.NeverAccepted,
        // the closers' ends: leaky-server clients, the cache server, the clients that gave up
        [SocketClass.FinWait2Orphaned] = Plan.LeakyServerUnread + Plan.LeakyServerReadNotClosed + Plan.StuckHandler + Plan.StalePool + Plan.NeverAccepted
            + Plan.UnreachableLastAck,
        [SocketClass.FinWait2HalfClosed] = Plan.HalfClosing,
        [SocketClass.TimeWait] = Plan.TimeWait,
        // healthy pairs, plus the unreachable peer's ends that never heard our FIN
        [SocketClass.Established] = (2 * Plan.Established) + Plan.UnreachableFinWait1,
        [SocketClass.FinWait1Orphaned] = Plan.UnreachableFinWait1,
        [SocketClass.LastAckOrphaned] = Plan.UnreachableLastAck,
    };

    [SkippableTheory]
    [InlineData(SocketSourcePreference.SockDiag)]
    [InlineData(SocketSourcePreference.ProcNetTcp)]
    public void EveryClassIsBuiltAndClassifiedExactly(SocketSourcePreference source)
    {
        Require.RootOrSkip();
        var ns = NetNs.CreatePrivate();
        Assert.True(ns.IsOk, ns.Error?.ToString());
        using var handle = ns.Value;
        using var builder = new AccumulationBuilder();
        var built = NetNs.Run(handle, () => { builder.Build(Plan); return true; });
        Assert.True(built.IsOk, built.Error?.ToString());
        Assert.True(builder.SkippedUnreachable is null, builder.SkippedUnreachable);

        var snapshot = InventoryReader.Take(new InventoryOptions { Namespace = handle, Source = source });
        var report = DoctorAnalysis.Analyze(DoctorInput.From(snapshot));
        foreach (var (c, n) in Expected())
        {
            Assert.True(report.ClassCounts.TryGetValue(c, out int got) && got == n, $"{c}: expected {n}, got {got}");
        }

        // Sides and owners: the leaky server is ours, pid = this process; the pool is a client.
        int me = Environment.ProcessId;
        var leak = report.Findings.Single(f => f.Class == SocketClass.CloseWaitUnreadEof && f.Service == $"local :{AccumulationBuilder.ApiPort}");
        Assert.Equal(Side.Server, leak.Side);
        Assert.Equal(me, leak.Owner?.Pid);
        Assert.Equal(Plan.LeakyServerUnread, leak.Count);
        Assert.True(leak.Reap.Never);
        var pool = report.Findings.Single(f => f.Class == SocketClass.CloseWaitUnreadEof && f.Side == Side.Client);
        Assert.Equal(Plan.StalePool, pool.Count);
        Assert.Equal(Plan.StalePool, pool.PairedOnHost);
        Assert.Equal(SocketClass.FinWait2Orphaned, pool.PeerClass);
        var half = report.Findings.Single(f => f.Class == SocketClass.FinWait2HalfClosed);
        Assert.Equal(me, half.Owner?.Pid);
        Assert.All(half.Examples, e => Assert.NotNull(e.Fd));
        var orphans = report.Findings.Where(f => f.Class == SocketClass.FinWait2Orphaned).ToList();
        Assert.All(orphans, f => Assert.InRange(f.Reap.Latest!.Value.TotalSeconds, 50, 62.1)); // 60 s plus the timer wheel's slack
        var lastAck = report.Findings.Single(f => f.Class == SocketClass.LastAckOrphaned);
        Assert.Equal(Side.Server, lastAck.Side);
        Assert.Null(lastAck.Owner);
        Assert.False(lastAck.Reap.Never);
        Assert.Equal(Side.Client, report.Findings.Single(f => f.Class == SocketClass.FinWait1Orphaned).Side);
        var tw = report.Findings.Single(f => f.Class == SocketClass.TimeWait);
        Assert.Equal($"remote 127.0.0.1:{AccumulationBuilder.ShortLivedPort}", tw.Service);
        if (source == SocketSourcePreference.ProcNetTcp)
        {
            Assert.Contains(report.BlindSpots, b => b.Kind == BlindSpotKind.ReducedSocketDetail);
        }
        else
        {
            // tcp_info is there: the age of the leak is a kernel figure, spread over LeakSpread, hence a rate and a forecast.
            var oldest = Assert.Single(leak.Figures, f => f.Name.StartsWith("oldest", StringComparison.Ordinal));
            Assert.InRange(oldest.Value, 1.0, 10);
            Assert.Contains(leak.Figures, f => f.Name.StartsWith("accumulation rate", StringComparison.Ordinal) && f.Source == FigureSource.Estimate);
            Assert.Contains(leak.Figures, f => f.Name.StartsWith("descriptor exhaustion", StringComparison.Ordinal));
        }
    }
}
