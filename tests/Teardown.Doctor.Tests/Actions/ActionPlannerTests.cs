using Teardown.Doctor.Actions;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests.Actions;

public sealed class ActionPlannerTests
{
    private const int Server = 10, Pool = 20;

    /// <summary>Our server on :8080 leaks CLOSE_WAIT (3 unread EOF, 2 with unread data); a pool has 2 ESTABLISHED; orphans and TIME_WAIT toward a dead peer.</summary>
    private static DoctorInput Host()
    {
        var sockets = new List<SocketRecord> { Listen(8080) };
        var owners = new Dictionary<ulong, SocketOwner> { [908080] = new(Server, 3) };
        ulong inode = 100;
        void Held(SocketRecord r, int pid, int fd)
        {
            r.Cookie = inode;
            sockets.Add(r);
            owners[r.Inode] = new SocketOwner(pid, fd);
        }

        for (int i = 0; i < 3; i++) Held(Socket(TcpState.CloseWait, "10.0.0.1:8080", $"10.0.0.2:{40000 + i}", ++inode, recvQ: 1, quietMs: 600_000), Server, 10 + i);
        for (int i = 0; i < 2; i++) Held(Socket(TcpState.CloseWait, "10.0.0.1:8080", $"10.0.0.3:{41000 + i}", ++inode, recvQ: 50, quietMs: 5_000), Server, 20 + i);
        for (int i = 0; i < 2; i++) Held(Socket(TcpState.Established, $"10.0.0.1:{33000 + i}", "10.0.0.9:5432", ++inode), Pool, 30 + i);
        sockets.Add(Socket(TcpState.FinWait1, "10.0.0.1:8080", "10.0.0.66:50000", timer: TimerKind.Retransmit, retrans: 3) with { Cookie = 900 });
        sockets.Add(Socket(TcpState.LastAck, "10.0.0.1:8080", "10.0.0.66:50001", timer: TimerKind.Retransmit, retrans: 2) with { Cookie = 901 });
        sockets.Add(Socket(TcpState.TimeWait, "10.0.0.1:50002", "10.0.0.9:6379", timer: TimerKind.Timewait, timerMs: 30_000) with { Cookie = 902 });
        var processes = new[]
        {
            new ProcessInfo(Server, "api", "/usr/bin/api", "/", new FileLimit(1024, 1024), 40, 8, 0),
            new ProcessInfo(Pool, "pool", "/usr/bin/pool", "/", new FileLimit(1024, 1024), 40, 2, 0),
        };
        return Teardown.Doctor.Tests.Support.Records.Input(sockets, owners, processes);
    }

    private static ActionPlan Plan(ActionSelection selection)
    {
        var input = Host();
        return ActionPlanner.Plan(input, DoctorAnalysis.Analyze(input), selection);
    }

    [Fact]
    public void Release_chooses_the_held_close_wait_and_says_the_peer_gets_a_fin_and_the_application_keeps_its_descriptor()
    {
        var plan = Plan(new ActionSelection { Action = ActionKind.Release });
        Assert.Equal(5, plan.Actions.Length);
        Assert.All(plan.Actions, a => Assert.Equal((TcpState.CloseWait, ActionKind.Release, Server), (a.Socket.State, a.Action, a.Socket.Pid)));
        Assert.Contains("never RST", plan.Actions[0].OnTheWire, StringComparison.Ordinal);
        Assert.Contains("EPIPE", plan.Actions[0].ApplicationSees, StringComparison.Ordinal);
        Assert.Equal("api (pid 10, fd 10)", plan.Actions[0].Owner);
        // Orphans have no descriptor to release: matched, refused, said why.
        Assert.Equal(2, plan.Refused.Length);
        Assert.All(plan.Refused, r => Assert.Contains("no process holds it", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Established_listen_and_time_wait_are_never_chosen_unless_their_state_is_named()
    {
        var all = Plan(new ActionSelection { Action = ActionKind.Kill });
        Assert.DoesNotContain(all.Actions, a => a.Socket.State is TcpState.Established or TcpState.Listen or TcpState.TimeWait);
        // Without naming them, kill leaves held sockets alone (release is the graceful way).
        Assert.All(all.Actions, a => Assert.Null(a.Socket.Pid));
        Assert.Contains(all.Refused, r => r.Socket.Pid is not null && r.Reason.Contains("held by a process", StringComparison.Ordinal));
        var named = Plan(new ActionSelection { Action = ActionKind.Kill, Class = SocketClass.CloseWaitUnreadEof });
        Assert.NotEmpty(named.Actions);
        Assert.All(named.Actions, a => Assert.Equal(SocketClass.CloseWaitUnreadEof, a.Class));

        var established = Plan(new ActionSelection { Action = ActionKind.Kill, States = new HashSet<TcpState> { TcpState.Established } });
        Assert.Equal(2, established.Actions.Length);
        Assert.All(established.Actions, a => Assert.Equal(TcpState.Established, a.Socket.State));
    }

    [Fact]
    public void Kill_says_which_states_send_an_rst_on_this_kernel()
    {
        var plan = Plan(new ActionSelection { Action = ActionKind.Kill, Remote = "10.0.0.66" });
        Assert.Equal(2, plan.Actions.Length);
        Assert.Contains("an RST", plan.Actions.Single(a => a.Class == SocketClass.FinWait1Orphaned).OnTheWire, StringComparison.Ordinal);
        Assert.Contains("silently", plan.Actions.Single(a => a.Class == SocketClass.LastAckOrphaned).OnTheWire, StringComparison.Ordinal);
        Assert.All(plan.Actions, a => Assert.Null(a.ApplicationSees));
    }

    [Fact]
    public void A_finding_number_selects_exactly_that_findings_sockets()
    {
        var input = Host();
        var report = DoctorAnalysis.Analyze(input);
        int n = report.Findings.IndexOf(report.Findings.Single(f => f.Class == SocketClass.CloseWaitUnreadData)) + 1;
        var plan = ActionPlanner.Plan(input, report, new ActionSelection { Action = ActionKind.Release, Finding = n });
        Assert.Equal(2, plan.Actions.Length);
        Assert.All(plan.Actions, a => Assert.Equal(SocketClass.CloseWaitUnreadData, a.Class));
        Assert.Throws<ArgumentException>(() => ActionPlanner.Plan(input, report, new ActionSelection { Action = ActionKind.Release, Finding = 99 }));
    }

    [Fact]
    public void Older_than_and_limit_narrow_the_plan_and_the_rest_is_counted()
    {
        var old = Plan(new ActionSelection { Action = ActionKind.Release, OlderThan = TimeSpan.FromMinutes(1) });
        Assert.Equal(3, old.Actions.Length); // the unread-data ones are 5 s quiet
        Assert.Equal(2, old.Younger);
        Assert.Equal(5, Plan(new ActionSelection { Action = ActionKind.Release, OlderThan = TimeSpan.Zero }).Actions.Length);
        var limited = Plan(new ActionSelection { Action = ActionKind.Release, Limit = 2 });
        Assert.Equal((2, 3), (limited.Actions.Length, limited.BeyondLimit));
    }

    [Fact]
    public void The_identity_carries_cookie_tuple_inode_pid_and_fd_for_re_verification()
    {
        var a = Plan(new ActionSelection { Action = ActionKind.Release, Port = 40001 }).Actions.Single();
        Assert.Equal((102UL, 102UL, 10, 11), (a.Socket.Cookie, a.Socket.Inode, a.Socket.Pid, a.Socket.Fd));
        Assert.Equal("10.0.0.2:40001", a.Socket.Remote.ToString());
    }
}
