using System.Text;
using System.Text.Json;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;
using Teardown.Linux.Owners;
using Teardown.Linux.Sockets;
using Teardown.Doctor.Tests.Support;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

public class AnalysisTests
{
    // A host with a leaking server :8080 (pid 100), a stale client pool toward 10.0.0.5:6379 (pid 200),
    // loopback pairs (CLOSE_WAIT ↔ orphaned FIN_WAIT2) and one healthy connection.
    private static DoctorReport Leaky(int leaked = 150, int fdLimit = 1024, DoctorFilter? filter = null)
    {
        var sockets = new List<SocketRecord> { Listen(8080) };
        var owners = new Dictionary<ulong, SocketOwner>();
        for (int i = 0; i < leaked; i++)
        {
            ulong inode = 1000 + (ulong)i;
            sockets.Add(Socket(TcpState.CloseWait, "127.0.0.1:8080", $"127.0.0.1:{40000 + i}", inode, 1, quietMs: (uint)(60_000 + (i * 1000))));
            sockets.Add(Socket(TcpState.FinWait2, $"127.0.0.1:{40000 + i}", "127.0.0.1:8080", 0, 0, TimerKind.Timewait, (uint)(30_000 + i)));
            owners[inode] = new SocketOwner(100, 10 + i);
        }

        for (int i = 0; i < 3; i++)
        {
            sockets.Add(Socket(TcpState.CloseWait, $"10.0.0.1:{50000 + i}", "10.0.0.5:6379", 5000 + (ulong)i, 1, quietMs: 10_000));
            owners[5000 + (ulong)i] = new SocketOwner(200, 7 + i);
        }

        sockets.Add(Socket(TcpState.Established, "127.0.0.1:8080", "127.0.0.1:45000", 6000));
        owners[6000] = new SocketOwner(100, 5);
        return DoctorAnalysis.Analyze(Records.Input(sockets, owners, [Process(100, "api", leaked + 20, fdLimit), Process(200, "worker", 40, 1024)]), filter);
    }

    [Fact]
    public void GroupsByOwnerAndService_MostSevereFirst()
    {
        var report = Leaky();
        var first = report.Findings[0];
        Assert.Equal(SocketClass.CloseWaitUnreadEof, first.Class);
        Assert.Equal(Side.Server, first.Side);
        Assert.Equal(150, first.Count);
        Assert.Equal(100, first.Owner?.Pid);
        Assert.Equal("local :8080", first.Service);
        Assert.Equal(Severity.High, first.Severity);
        Assert.True(first.Reap.Never);
        Assert.Contains("tcp_fin_timeout never applies", first.Reap.Explanation, StringComparison.Ordinal);
        Assert.Contains(first.Fix, f => f.Contains("tcp_fin_timeout", StringComparison.Ordinal) && f.Contains("cannot help", StringComparison.Ordinal));

        var pool = Assert.Single(report.Findings, f => f.Owner?.Pid == 200);
        Assert.Equal(Side.Client, pool.Side);
        Assert.Equal("remote 10.0.0.5:6379", pool.Service);
        Assert.Contains("idle timeout", pool.Fix[0], StringComparison.Ordinal);
        Assert.True(report.HasFindings);
    }

    [Fact]
    public void PairsBothEndsOnThisHost()
    {
        var report = Leaky();
        var cw = report.Findings.First(f => f.Class == SocketClass.CloseWaitUnreadEof && f.Side == Side.Server);
        Assert.Equal(150, cw.PairedOnHost);
        Assert.Equal(SocketClass.FinWait2Orphaned, cw.PeerClass);
        var orphans = report.Findings.Single(f => f.Class == SocketClass.FinWait2Orphaned);
        Assert.Equal(SocketClass.CloseWaitUnreadEof, orphans.PeerClass);
        Assert.Equal(100, orphans.PeerPid);
        Assert.Null(orphans.Owner);
        Assert.False(orphans.Reap.Never);
        Assert.InRange(orphans.Reap.Latest!.Value.TotalSeconds, 30.149, 30.149 + 2.1); // plus the timer wheel's slack (Model.Rules.TimerWheel)
        Assert.Equal(Severity.Info, orphans.Severity);
    }

    [Fact]
    public void EveryFigureHasUnitAndSource_AgeAndExhaustionAreEstimatedFromTcpInfo()
    {
        var report = Leaky(leaked: 150, fdLimit: 200);
        foreach (var f in report.Findings.SelectMany(f => f.Figures))
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Unit), f.Name);
            Assert.False(string.IsNullOrWhiteSpace(f.Origin), f.Name);
        }

        var cw = report.Findings[0];
        Assert.Equal(Severity.Critical, cw.Severity); // 170 of 200 descriptors
        var oldest = Assert.Single(cw.Figures, f => f.Name.StartsWith("oldest", StringComparison.Ordinal));
        Assert.Equal(209, oldest.Value);
        Assert.Equal(FigureSource.KernelField, oldest.Source);
        var exhaustion = Assert.Single(cw.Figures, f => f.Name.StartsWith("descriptor exhaustion", StringComparison.Ordinal));
        Assert.Equal(FigureSource.Estimate, exhaustion.Source);
        // 150 sockets over 209 s → 0.718/s; 30 fds left → 41.8 s = 0.7 min.
        Assert.Equal(0.7, exhaustion.Value, 1);
    }

    [Fact]
    public void Filters_ByPidAndPort()
    {
        var byPid = Leaky(filter: new DoctorFilter(Pid: 200));
        Assert.All(byPid.Findings, f => Assert.Equal(200, f.Owner?.Pid));
        Assert.Equal(3, byPid.Total);
        var byPort = Leaky(filter: new DoctorFilter(Port: 6379));
        Assert.Equal(3, byPort.ClassCounts[SocketClass.CloseWaitUnreadEof]);
    }

    [Fact]
    public void HalfClosedAndNeverAccepted_AreNeverReaped_WithReasons()
    {
        var sockets = new[]
        {
            Listen(9000),
            Socket(TcpState.FinWait2, "127.0.0.1:41000", "127.0.0.1:9000", 77, 0),
            Socket(TcpState.CloseWait, "127.0.0.1:9000", "127.0.0.1:41001", 0, 1),
        };
        var report = DoctorAnalysis.Analyze(Records.Input(sockets, new() { [77] = new SocketOwner(300, 4) }));
        var half = report.Findings.Single(f => f.Class == SocketClass.FinWait2HalfClosed);
        Assert.True(half.Reap.Never);
        Assert.Contains("shutdown(SHUT_WR)", half.Reap.Explanation, StringComparison.Ordinal);
        Assert.Equal(300, half.Owner?.Pid);
        Assert.Equal(4, half.Examples[0].Fd);
        var unaccepted = report.Findings.Single(f => f.Class == SocketClass.CloseWaitNeverAccepted);
        Assert.Equal(Side.Server, unaccepted.Side);
        Assert.True(unaccepted.Reap.Never);
    }

    [Fact]
    public void OrphanRetransmitting_ReapEstimatedByModel()
    {
        var sockets = new[] { Socket(TcpState.LastAck, "10.0.0.1:8080", "10.0.0.9:40000", 0, 1, TimerKind.Retransmit, 800, retrans: 3) };
        var report = DoctorAnalysis.Analyze(Records.Input(sockets));
        var f = Assert.Single(report.Findings);
        Assert.Equal(SocketClass.LastAckOrphaned, f.Class);
        // The model, seeded at its third retransmission with 0.8 s left, retransmits on (tcp_orphan_retries 0 means 8)
        // until the give-up clock passes 102.2 s from the first retransmission: about 102 s from now.
        Assert.InRange(f.Reap.Latest!.Value.TotalSeconds, 100, 104);
        Assert.Equal(FigureSource.ModelRun, f.Reap.Source);
        var direct = Teardown.Doctor.Forecast.ModelForecaster.Existing(
            new Teardown.Doctor.Forecast.ObservedEnd(SocketClass.LastAckOrphaned, Side.Server, TimerKind.Retransmit, TimeSpan.FromMilliseconds(800), 3),
            new Teardown.Model.Kernel.KernelSettings());
        Assert.Equal(direct.ReapedAfter, f.Reap.Latest);
    }

    [Fact]
    public void TimeWait_IsAFindingOnlyWhenItHoldsMuchOfThePortRange()
    {
        static DoctorReport With(int tw) => DoctorAnalysis.Analyze(Records.Input(
            Enumerable.Range(0, tw).Select(i => Socket(TcpState.TimeWait, $"127.0.0.1:{40000 + i}", "127.0.0.1:8082", 0, 0, TimerKind.Timewait, 50_000)),
            settings: new Teardown.Linux.Settings.NetSettings { LocalPortLow = 40000, LocalPortHigh = 40999 }));
        Assert.Empty(With(50).Findings);
        var f = Assert.Single(With(600).Findings);
        Assert.Equal(SocketClass.TimeWait, f.Class);
        Assert.Equal(Severity.Medium, f.Severity);
        Assert.Equal(600, With(600).PortUsage[0].InUse);
    }

    [Fact]
    public void HealthyHost_HasNoFindings()
    {
        var report = DoctorAnalysis.Analyze(Records.Input([Listen(80), Socket(TcpState.Established, "127.0.0.1:80", "127.0.0.1:40000", 1)]));
        Assert.Empty(report.Findings);
        Assert.False(report.HasFindings);
        Assert.Equal(1, report.StateCounts[(int)TcpState.Listen]);
    }

    [Fact]
    public void Json_IsStableAndComplete()
    {
        var report = Leaky();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) ReportJson.Write(w, [report], 1, TimeSpan.FromMilliseconds(12));
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(ms.ToArray()));
        var root = doc.RootElement;
        Assert.Equal("teardown.doctor/2", root.GetProperty("schema").GetString());
        var ns = root.GetProperty("namespaces")[0];
        Assert.Equal(150, ns.GetProperty("summary").GetProperty("byClass").GetProperty("close-wait-unread-eof").GetInt32() - 3);
        var first = ns.GetProperty("findings")[0];
        Assert.Equal("close-wait-unread-eof", first.GetProperty("kind").GetString());
        Assert.True(first.GetProperty("reap").GetProperty("never").GetBoolean());
        Assert.All(first.GetProperty("figures").EnumerateArray(), f => Assert.NotEmpty(f.GetProperty("source").GetString()!));
    }
}

public class OrphanTimerTests
{
    [Fact]
    public void PersistTimer_OnOrphans_IsExplainedAsFinNotSent()
    {
        var sockets = Enumerable.Range(0, 3).Select(i => Socket(TcpState.FinWait1, $"10.0.0.1:{40000 + i}", "10.0.0.9:80", 0, 0, TimerKind.Probe, 400));
        var f = Assert.Single(DoctorAnalysis.Analyze(Records.Input(sockets)).Findings);
        Assert.Contains("zero window", f.Mechanism, StringComparison.Ordinal);
        Assert.Contains("no route", f.Mechanism, StringComparison.Ordinal);
        Assert.Equal("persist", f.Examples[0].Timer);
        var retransmitting = Socket(TcpState.FinWait1, "10.0.0.1:41000", "10.0.0.9:80", 0, 0, TimerKind.Retransmit, 400, retrans: 2);
        var g = Assert.Single(DoctorAnalysis.Analyze(Records.Input([retransmitting])).Findings);
        Assert.Contains("unreachable", g.Mechanism, StringComparison.Ordinal);
        Assert.Equal("on", g.Examples[0].Timer);
    }
}
