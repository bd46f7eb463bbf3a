using System.Text;
using System.Text.Json;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Lab.Reproduction;
using Teardown.Linux.Owners;
using Teardown.Linux.Sockets;
using Teardown.Doctor.Tests.Support;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

/// <summary>The analysis on a capture of the demo's reproduction, saved on a 6.18 kernel: no root needed.</summary>
public class CaptureTests
{
    private static DoctorInput Demo() =>
        CaptureJson.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo-6.18.capture.json")));

    [Fact]
    public void DemoCapture_EveryClassCountedAsBuilt()
    {
        var plan = new AccumulationPlan(); // the demo's defaults, which produced the capture
        var report = DoctorAnalysis.Analyze(Demo());
        var expected = new Dictionary<SocketClass, int>
        {
            [SocketClass.CloseWaitUnreadEof] = plan.LeakyServerUnread + plan.StalePool + plan.HalfClosing,
            [SocketClass.CloseWaitReadNotClosed] = plan.LeakyServerReadNotClosed,
            [SocketClass.CloseWaitUnreadData] = plan.StuckHandler,
            [SocketClass.CloseWaitNeverAccepted] = plan.NeverAccepted,
            [SocketClass.FinWait2Orphaned] = plan.LeakyServerUnread + plan.LeakyServerReadNotClosed + plan.StuckHandler + plan.StalePool
                + plan.NeverAccepted + plan.UnreachableLastAck,
            [SocketClass.FinWait2HalfClosed] = plan.HalfClosing,
            [SocketClass.FinWait1Orphaned] = plan.UnreachableFinWait1,
            [SocketClass.LastAckOrphaned] = plan.UnreachableLastAck,
            [SocketClass.TimeWait] = plan.TimeWait,
            [SocketClass.Established] = (2 * plan.Established) + plan.UnreachableFinWait1,
        };
        Assert.Equal(expected.OrderBy(e => e.Key), report.ClassCounts.OrderBy(e => e.Key));
    }

    [Fact]
    public void DemoCapture_FindingsNameSideOwnerAndReap()
    {
        var report = DoctorAnalysis.Analyze(Demo());
        var server = report.Findings.Single(f => f.Class == SocketClass.CloseWaitUnreadEof && f.Service == "local :8080");
        Assert.Equal(Side.Server, server.Side);
        Assert.NotNull(server.Owner);
        Assert.Equal(SocketClass.FinWait2Orphaned, server.PeerClass);
        // The demo spreads this leak over 1.5 s: ages from tcp_info give a rate and a descriptor forecast.
        var oldest = Assert.Single(server.Figures, f => f.Name.StartsWith("oldest", StringComparison.Ordinal));
        Assert.InRange(oldest.Value, 1.4, 5);
        Assert.Contains(server.Figures, f => f.Name.StartsWith("descriptor exhaustion", StringComparison.Ordinal) && f.Source == FigureSource.Estimate);
        var pool = report.Findings.Single(f => f.Class == SocketClass.CloseWaitUnreadEof && f.Side == Side.Client);
        Assert.Equal("remote 127.0.0.1:6379", pool.Service);
        Assert.Contains("idle timeout", pool.Fault, StringComparison.Ordinal);
        var unaccepted = report.Findings.Single(f => f.Class == SocketClass.CloseWaitNeverAccepted);
        Assert.Null(unaccepted.Owner);
        Assert.Equal(Severity.High, unaccepted.Severity);
        var tw = report.Findings.Single(f => f.Class == SocketClass.TimeWait);
        Assert.Equal(Severity.Medium, tw.Severity); // 600 of 1000 ports in the demo's namespace range
        Assert.All(report.Findings.Where(f => f.Class == SocketClass.FinWait2Orphaned), f => Assert.InRange(f.Reap.Latest!.Value.TotalSeconds, 1, 62.1)); // 60 s plus the timer wheel's slack
        Assert.Equal(report.Findings, report.Findings.OrderByDescending(f => f.Severity).ThenByDescending(f => f.Count).ThenBy(f => f.Class)
            .ThenBy(f => f.Service, StringComparer.Ordinal).ThenBy(f => f.Owner?.Pid ?? 0));
    }

    [Fact]
    public void Capture_RoundTrips_ToTheSameReport()
    {
        var input = Records.Input(
            [Listen(8080),
             Socket(TcpState.CloseWait, "127.0.0.1:8080", "127.0.0.1:40000", 5, 1, quietMs: 90_000),
             Socket(TcpState.FinWait2, "127.0.0.1:40000", "127.0.0.1:8080", 0, 0, TimerKind.Timewait, 30_000),
             Socket(TcpState.CloseWait, "[::1]:8080", "[::1]:40001", 6, 0)],
            new() { [5] = new SocketOwner(100, 7), [6] = new SocketOwner(100, 8) },
            [Process(100, "api", 50, 1024)]);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) CaptureJson.Write(w, input);
        var back = CaptureJson.Read(ms.ToArray());
        Assert.Equal(ReportText(input), ReportText(back));
    }

    [Fact]
    public void NotACapture_IsAClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => CaptureJson.Read("{\"schema\":\"other\"}"u8));
        Assert.Contains("teardown.capture/1", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => CaptureJson.Read("{\"schema\":\"teardown.capture/1\"}"u8));
    }

    private static string ReportText(DoctorInput input)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) ReportJson.Write(w, [DoctorAnalysis.Analyze(input)], 0, TimeSpan.Zero);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
