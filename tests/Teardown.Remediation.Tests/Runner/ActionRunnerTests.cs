using System.Collections.Immutable;
using System.Text.Json;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;
using Teardown.Linux.Interop;
using Teardown.Linux.Journal;
using Teardown.Linux.Ledger;
using Teardown.Linux.Sockets;

namespace Teardown.Remediation.Tests.Runner;

/// <summary>The runner's bookkeeping with scripted hands: order, totals, interruption, audit, exit verdicts.</summary>
public sealed class ActionRunnerTests
{
    [Fact]
    public async Task Every_planned_socket_gets_one_outcome_in_plan_order_with_totals()
    {
        var hands = new ScriptedHands(i => i % 3 == 0 ? HandsOutcome.Skip("vanished") : new HandsOutcome(OutcomeKind.Released, "FIN sent"));

        var run = await ActionRunner.RunAsync([Plan(7)], hands, Options());

        Assert.Equal(Enumerable.Range(0, 7).Select(Port), run.Results.Select(r => (int)r.Planned.Socket.Remote.Port));
        Assert.Equal(new RunTotals(Released: 4, Killed: 0, Skipped: 3, Refused: 0), run.Totals);
        Assert.False(run.Interrupted);
        Assert.Equal(0, run.NotReached);
    }

    [Fact]
    public async Task Cancellation_stops_between_two_sockets_and_keeps_what_was_done()
    {
        using var cancel = new CancellationTokenSource();
        var hands = new ScriptedHands(_ => new HandsOutcome(OutcomeKind.Released, "FIN sent"));

        var run = await ActionRunner.RunAsync([Plan(10)], hands, Options() with { Progress = p => { if (p.Done == 4) cancel.Cancel(); } }, cancel.Token);

        Assert.True(run.Interrupted);
        Assert.Equal(4, run.Results.Length);
        Assert.Equal(4, hands.Applied);
        Assert.Equal(6, run.NotReached);
    }

    [Fact]
    public async Task A_namespace_that_cannot_be_entered_refuses_its_sockets_with_the_reason()
    {
        var run = await ActionRunner.RunAsync([Plan(2)], new FailingFactory(new LinuxError(Errno.EPERM, "setns")), Options());

        Assert.All(run.Results, r => Assert.Equal((OutcomeKind.Refused, Errno.EPERM), (r.Kind, r.Errno)));
        Assert.True(run.OnlyMissingPermissionOrFeature);
    }

    [Fact]
    public async Task Refusals_for_want_of_permission_alone_mean_missing_permission_but_any_success_or_other_errno_does_not()
    {
        var onlyEperm = await ActionRunner.RunAsync([Plan(2)], new ScriptedHands(_ => HandsOutcome.Refuse(Errno.EPERM, "ptrace")), Options());
        var mixed = await ActionRunner.RunAsync([Plan(2)], new ScriptedHands(i => i == 0 ? HandsOutcome.Refuse(Errno.EPERM, "ptrace") : new HandsOutcome(OutcomeKind.Released, "FIN")), Options());
        var other = await ActionRunner.RunAsync([Plan(1)], new ScriptedHands(_ => HandsOutcome.Refuse(Errno.EIO, "netlink")), Options());

        Assert.True(onlyEperm.OnlyMissingPermissionOrFeature);
        Assert.False(mixed.OnlyMissingPermissionOrFeature);
        Assert.False(other.OnlyMissingPermissionOrFeature);
    }

    [Fact]
    public async Task Each_outcome_is_one_ledger_line_that_reads_back_as_written()
    {
        string ledger = Path.Combine(Path.GetTempPath(), $"teardown-ledger-{Guid.NewGuid():N}", "actions.jsonl");
        try
        {
            var hands = new ScriptedHands(i => i == 1 ? HandsOutcome.Refuse(Errno.EPERM, "no ptrace") : new HandsOutcome(OutcomeKind.Released, "FIN sent"));

            var run = await ActionRunner.RunAsync([Plan(3)], hands, Options() with { LedgerPath = ledger });

            var read = ActionLedger.Read(ledger);
            Assert.Equal(3, read.Entries.Count);
            Assert.Equal([LedgerOutcome.Released, LedgerOutcome.Refused, LedgerOutcome.Released], read.Entries.Select(e => e.Outcome));
            Assert.Equal("EPERM", read.Entries[1].Errno);
            Assert.Equal("no ptrace", read.Entries[1].Reason);
            Assert.Equal(run.Results[0].Planned.Socket.Cookie, read.Entries[0].Cookie);
            Assert.Equal("close-wait-unread-eof", read.Entries[0].Class);
            Assert.Equal(42, read.Entries[0].Pid);
            Assert.Equal(ledger, run.AuditDestinations);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(ledger)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_syslog_is_said_once_and_does_not_stop_the_run()
    {
        var run = await ActionRunner.RunAsync([Plan(2)], new ScriptedHands(_ => new HandsOutcome(OutcomeKind.Released, "FIN")), Options() with { SyslogPath = "/nonexistent/log" });

        Assert.Equal(2, run.Totals.Released);
        Assert.Contains(run.AuditProblems, p => p.Contains("/nonexistent/log", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_rate_limit_spaces_sockets_out()
    {
        var run = await ActionRunner.RunAsync([Plan(30)], new ScriptedHands(_ => new HandsOutcome(OutcomeKind.Released, "FIN")), Options() with { RatePerSecond = 100 });

        // 30 at 100/s, at most 5 at once: the last cannot come before 0.25 s.
        Assert.True(run.Elapsed >= TimeSpan.FromSeconds(0.24), $"{run.Elapsed.TotalSeconds:0.000} s");
    }

    [Theory]
    [InlineData(1000, 50, 50)]
    [InlineData(5, 1, 200)]
    [InlineData(30, 1, 33.333)]
    public void The_bucket_admits_at_most_a_twentieth_of_a_seconds_worth_at_once(double rate, int tokens, double periodMs)
    {
        using var limiter = ActionRunner.Limiter(rate);

        Assert.Equal(tokens, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(periodMs, limiter.ReplenishmentPeriod.TotalMilliseconds, 2);
    }

    [Fact]
    public async Task The_json_carries_the_plan_the_outcomes_and_the_totals()
    {
        var plan = Plan(2);
        var run = await ActionRunner.RunAsync([plan], new ScriptedHands(i => i == 0 ? new HandsOutcome(OutcomeKind.Released, "FIN") : HandsOutcome.Skip("vanished")), Options());
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) ActionJson.Write(w, ActionKind.Release, [plan], run, 0);

        using var doc = JsonDocument.Parse(buffer.ToArray());
        var root = doc.RootElement;
        Assert.Equal("teardown.actions/1", root.GetProperty("schema").GetString());
        Assert.True(root.GetProperty("applied").GetBoolean());
        Assert.Equal(2, root.GetProperty("plan").GetArrayLength());
        Assert.Equal(["released", "skipped"], root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal(1, root.GetProperty("totals").GetProperty("skipped").GetInt32());
    }

    [Fact]
    public void Syslog_lines_are_what_glibc_syslog_would_send()
    {
        var at = new DateTimeOffset(2026, 12, 6, 9, 5, 3, TimeSpan.Zero);

        Assert.Equal("<85>Dec  6 09:05:03 teardown[77]: release released: x", SyslogClient.Format("release released: x", warning: false, at, "teardown", 77));
        Assert.Equal("<84>Dec  6 09:05:03 teardown[77]: a b", SyslogClient.Format("a\nb", warning: true, at, "teardown", 77));
    }

    private static RunOptions Options() => new() { RatePerSecond = 1_000_000 };

    private static int Port(int i) => 40000 + i;

    private static NamespacePlan Plan(int count)
    {
        var local = new InetEndpoint(InetAddress.From(System.Net.IPAddress.Parse("192.0.2.1")), 8080);
        var actions = Enumerable.Range(0, count).Select(i => new PlannedAction(
            new SocketIdentity((ulong)(1000 + i), local, new InetEndpoint(InetAddress.From(System.Net.IPAddress.Parse("192.0.2.2")), (ushort)Port(i)), (ulong)(5000 + i), TcpState.CloseWait, 42, 10 + i),
            SocketClass.CloseWaitUnreadEof, ActionKind.Release, "api (pid 42)", "our FIN", "EOF", "api")).ToImmutableArray();
        return new NamespacePlan(4026531840, new ActionPlan(actions, [], 0));
    }

    private sealed class ScriptedHands(Func<int, HandsOutcome> script) : IHandsFactory, IActionHands
    {
        internal int Applied { get; private set; }

        public LinuxResult<IActionHands> Open(ulong netNsInode) => this;

        public HandsOutcome Apply(PlannedAction action) => script(Applied++);

        public void Dispose()
        {
        }
    }

    private sealed class FailingFactory(LinuxError error) : IHandsFactory
    {
        public LinuxResult<IActionHands> Open(ulong netNsInode) => error;
    }
}
