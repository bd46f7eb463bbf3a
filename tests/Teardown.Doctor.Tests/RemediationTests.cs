using System.Collections.Immutable;
using System.Text.Json;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Doctor.Tests.Support;
using Teardown.Linux.Ledger;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

/// <summary>
/// The command each finding names (<see cref="RemediationCommand"/>), and the finding of its own for
/// descriptors the application still holds after a release or kill (<see cref="HeldAfterActionBuilder"/>).
/// </summary>
public sealed class RemediationTests
{
    private static DoctorInput Demo() => CaptureJson.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo-6.18.capture.json")));

    [Theory]
    [InlineData(SocketClass.CloseWaitUnreadEof, Side.Server, 42, "0.0.0.0", 8080, "teardown release --pid 42 --class close-wait-unread-eof --port 8080")]
    [InlineData(SocketClass.CloseWaitReadNotClosed, Side.Server, 42, "0.0.0.0", 8080, "teardown release --pid 42 --class close-wait-read-not-closed --port 8080")]
    [InlineData(SocketClass.CloseWaitUnreadData, Side.Client, 7, "10.0.0.5", 6379, "teardown release --pid 7 --class close-wait-unread-data --remote 10.0.0.5:6379")]
    [InlineData(SocketClass.CloseWaitUnreadEof, Side.Unknown, 7, "10.0.0.5", 6379, "teardown release --pid 7 --class close-wait-unread-eof --remote 10.0.0.5:6379")]
    [InlineData(SocketClass.FinWait1Orphaned, Side.Client, null, "192.0.2.1", 8090, "teardown kill --class fin-wait1-orphaned --remote 192.0.2.1:8090")]
    [InlineData(SocketClass.LastAckOrphaned, Side.Server, null, "0.0.0.0", 8090, "teardown kill --class last-ack-orphaned --port 8090")]
    [InlineData(SocketClass.ClosingOrphaned, Side.Server, null, "0.0.0.0", 443, "teardown kill --class closing-orphaned --port 443")]
    [InlineData(SocketClass.FinWait2Orphaned, Side.Client, null, "2001:db8::1", 443, "teardown kill --class fin-wait2-orphaned --remote [2001:db8::1]:443")]
    public void Command_NamesTheActionAndTheSelection(SocketClass c, Side side, int? pid, string address, int port, string expected) =>
        Assert.Equal(expected, RemediationCommand.For(c, side, pid, Ep(address, port)));

    [Theory]
    [InlineData(SocketClass.FinWait2HalfClosed, 42)]       // our FIN is already sent: release changes nothing on the wire
    [InlineData(SocketClass.CloseWaitNeverAccepted, null)] // no descriptor: the accept loop is the fix
    [InlineData(SocketClass.CloseWaitUnreadEof, null)]     // owner unknown: nothing to release
    [InlineData(SocketClass.TimeWait, null)]
    [InlineData(SocketClass.ClosingAttached, 42)]
    [InlineData(SocketClass.Established, 42)]
    [InlineData(SocketClass.LastAckOrphaned, 42)]          // held: not an orphan
    public void Command_IsNull_WhereNeitherActionApplies(SocketClass c, int? pid) =>
        Assert.Null(RemediationCommand.For(c, Side.Server, pid, Ep("0.0.0.0", 8080)));

    [Fact]
    public void EveryDemoFinding_NamesItsCommand_InTheFixText_AndItSelectsThatFindingsSockets()
    {
        var input = Demo();
        var report = DoctorAnalysis.Analyze(input);
        int withCommand = 0;
        foreach (var f in report.Findings)
        {
            string? command = f.Remediation;
            switch (f.Class)
            {
                case SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData:
                    Assert.StartsWith($"teardown release --pid {f.Owner!.Pid} --class {f.Class.Id()} ", command, StringComparison.Ordinal);
                    Assert.Contains(f.Fix, line => line.Contains($"`{command}`", StringComparison.Ordinal) && line.Contains("add --apply to act", StringComparison.Ordinal));
                    break;
                case SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.FinWait2Orphaned:
                    Assert.StartsWith($"teardown kill --class {f.Class.Id()} ", command, StringComparison.Ordinal);
                    Assert.Contains(f.Fix, line => line.Contains($"`{command}`", StringComparison.Ordinal) && line.Contains("add --apply to act", StringComparison.Ordinal));
                    break;
                default:
                    Assert.Null(command);
                    Assert.DoesNotContain(f.Fix, line => line.Contains("teardown release --", StringComparison.Ordinal) || line.Contains("teardown kill --", StringComparison.Ordinal));
                    continue;
            }

            withCommand++;
            // The command, as the CLI will parse it, plans exactly this finding's sockets.
            var plan = ActionPlanner.Plan(input, report, Selection(command!));
            Assert.True(f.Count == plan.Actions.Length, $"{command}: {plan.Actions.Length} planned for a finding of {f.Count}");
            Assert.Empty(plan.Refused);
            var same = ActionPlanner.Plan(input, report, new ActionSelection { Action = plan.Actions[0].Action, Finding = report.Findings.IndexOf(f) + 1 });
            Assert.Equal(same.Actions.Select(a => a.Socket.Cookie).Order(), plan.Actions.Select(a => a.Socket.Cookie).Order());
        }

        Assert.True(withCommand >= 8, $"{withCommand} findings with a command");
        var halfClosed = report.Findings.Single(f => f.Class == SocketClass.FinWait2HalfClosed);
        Assert.Contains(halfClosed.Fix, line => line.StartsWith("Not `teardown release`", StringComparison.Ordinal));
    }

    // The options the commands take, parsed as the CLI does: every value a number, a class id or an address.
    private static ActionSelection Selection(string command)
    {
        var words = command.Split(' ');
        var selection = new ActionSelection { Action = words[1] == "release" ? ActionKind.Release : ActionKind.Kill };
        for (int i = 2; i < words.Length; i += 2)
        {
            string value = words[i + 1];
            selection = words[i] switch
            {
                "--pid" => selection with { Pid = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "--class" => selection with { Class = ClassNames.All.Single(c => c.Id() == value) },
                "--port" => selection with { Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "--remote" => selection with { Remote = value },
                _ => throw new ArgumentException($"option {words[i]} is not one the commands take"),
            };
        }

        return selection;
    }

    private static LedgerEntry Held(int pid, int fd, LedgerAction action = LedgerAction.Release, string local = "10.0.0.1:8080", string remote = "10.0.0.2:40000") =>
        new(new DateTimeOffset(2026, 12, 6, 23, 0, 0, TimeSpan.Zero).AddSeconds(fd), action, action == LedgerAction.Release ? LedgerOutcome.Released : LedgerOutcome.Killed,
            null, null, 4026531840, (ulong)fd, local, remote, 7000 + (ulong)fd, "CLOSE_WAIT", "close-wait-unread-eof", pid, fd, "nginx", 0, 1);

    private static DoctorInput WithHeld(IEnumerable<LedgerEntry> held, params Teardown.Linux.Proc.ProcessInfo[] processes) =>
        Records.Input([Listen(8080)], processes: processes) with { HeldAfterAction = [.. held] };

    [Fact]
    public void HeldDescriptors_AreOneFindingPerProcess_WithItsFds_AndTheHealthyVerdictStands()
    {
        var held = Enumerable.Range(17, 12).Select(fd => Held(42, fd)).Append(Held(42, 40, LedgerAction.Kill)).Append(Held(7, 5));
        var report = DoctorAnalysis.Analyze(WithHeld(held, Process(42, "nginx", 300, 20000), Process(7, "redis", 10, 1024)));
        Assert.Empty(report.Findings);
        Assert.Equal(2, report.HeldAfterAction.Length);
        var nginx = report.HeldAfterAction[0];
        Assert.Equal((42, 13, 12, 1, Severity.Info), (nginx.Owner.Pid, nginx.Count, nginx.Released, nginx.Killed, nginx.Severity));
        Assert.Equal([.. Enumerable.Range(17, 12), 40], nginx.Fds);
        Assert.Equal(
            "13 connections released or killed by teardown are still held by nginx (pid 42): fds 17, 18, 19, 20, 21, 22, 23, 24, … — they count against its " +
            "descriptor limit until the application closes them; only the application (a fix of its close path, or a restart) frees them", nginx.Title);
        Assert.Equal(
            "1 connection released by teardown is still held by redis (pid 7): fd 5 — it counts against its descriptor limit until the application closes it; " +
            "only the application (a fix of its close path, or a restart) frees it", report.HeldAfterAction[1].Title);
        // Healthy except for what only the application can free.
        Assert.False(report.HasFindings);
        Assert.Equal(0, ReportVerdict.ExitCode([report]));
    }

    [Theory]
    [InlineData(100, Severity.Info)]
    [InlineData(512, Severity.Medium)]
    [InlineData(900, Severity.High)]
    public void HeldDescriptors_AreUrgentOnlyNearTheDescriptorLimit_AndNeverCritical(int openFds, Severity expected)
    {
        var report = DoctorAnalysis.Analyze(WithHeld([Held(42, 17)], Process(42, "nginx", openFds, 1024)));
        Assert.Equal(expected, Assert.Single(report.HeldAfterAction).Severity);
        Assert.Equal(expected >= Severity.Low, report.HasFindings);
    }

    [Fact]
    public void HeldDescriptors_FollowTheFilter_AndNameTheLedgersCommandWhenTheProcessIsUnknown()
    {
        LedgerEntry[] held = [Held(42, 17), Held(42, 18, remote: "10.0.0.9:6379", local: "10.0.0.1:41000"), Held(7, 5)];
        Assert.Single(DoctorAnalysis.Analyze(WithHeld(held), new DoctorFilter(Pid: 7)).HeldAfterAction);
        var byPort = Assert.Single(DoctorAnalysis.Analyze(WithHeld(held), new DoctorFilter(Port: 6379)).HeldAfterAction);
        Assert.Equal([18], byPort.Fds);
        Assert.Equal("nginx (pid 42)", byPort.Owner.Display); // from the ledger: the process was not among those scanned
    }

    [Fact]
    public void HeldDescriptors_InTheJsonReport_MatchTheSchema()
    {
        var input = Demo() with { HeldAfterAction = [Held(30660, 88), Held(30660, 177, LedgerAction.Kill)] };
        string json = ReportSchema.Write(DoctorAnalysis.Analyze(input));
        ReportSchema.AssertValid(json);
        using var doc = JsonDocument.Parse(json);
        var ns = doc.RootElement.GetProperty("namespaces")[0];
        var held = Assert.Single(ns.GetProperty("heldAfterAction").EnumerateArray());
        Assert.Equal("held-after-release", held.GetProperty("kind").GetString());
        Assert.Equal([88, 177], held.GetProperty("fds").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal((1, 1), (held.GetProperty("released").GetInt32(), held.GetProperty("killed").GetInt32()));
        Assert.Equal("dotnet", held.GetProperty("owner").GetProperty("comm").GetString());
        Assert.Contains(ns.GetProperty("findings").EnumerateArray(), f => f.GetProperty("remediation").GetString() is string c && c.StartsWith("teardown release --pid 30660 ", StringComparison.Ordinal));
    }

    [Fact]
    public void HeldDescriptors_SurviveACapture_AndTheirProcessIsSaved()
    {
        var input = WithHeld([Held(42, 17), Held(42, 18, LedgerAction.Kill)], Process(42, "nginx", 300, 20000));
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) CaptureJson.Write(w, input);
        var back = CaptureJson.Read(buffer.ToArray());
        Assert.Equal(input.HeldAfterAction.ToArray(), back.HeldAfterAction.ToArray());
        Assert.Equal("nginx", back.Processes[42].Comm);
        Assert.Equal(DoctorAnalysis.Analyze(input).HeldAfterAction.Single().Title, DoctorAnalysis.Analyze(back).HeldAfterAction.Single().Title);
    }
}
