using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Teardown.Doctor.Actions;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Tests.Support;
using Teardown.Remediation.Tests.Support;
using Xunit.Abstractions;

namespace Teardown.Remediation.Tests.Live;

/// <summary>
/// Between the plan and the act the world moves. Each test changes it the way production does —
/// the 4-tuple taken by a new connection, the descriptor number reused, the owner gone, the state
/// moved on, no permission — and checks that the socket is skipped or refused, never acted on, and
/// that no socket outside the selection changed.
/// </summary>
public sealed class AdversarialLiveTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void A_four_tuple_taken_by_a_new_connection_is_skipped_and_the_new_connection_untouched()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer, local, remote) = Remedy.HeldCloseWait(lab);
        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = holder.Pid });
        Assert.Single(plan.Actions);

        // The owner closes; the same local port connects again to the same peer: a new connection on the old 4-tuple.
        Assert.Equal(0, holder.Call("close"));
        Assert.Equal(TcpState.Close, lab.WaitFor(local, remote, TcpState.Close));
        using var again = NetNs.Run(lab.Local, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(local);
            s.Connect(remote);
            return s;
        }).Value;
        var before = Remedy.Census(lab.Diag);
        var newcomer = lab.Find(local, remote);
        Assert.Equal(TcpState.Established, newcomer?.KernelState);

        var run = Remedy.Apply(lab.Local, plan);

        var result = Assert.Single(run.Results);
        Assert.Equal(OutcomeKind.Skipped, result.Kind);
        Assert.Contains("another connection", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Remedy.Census(lab.Diag)); // nothing at all changed, the newcomer included
        Assert.Equal(newcomer!.Value.Cookie, lab.Find(local, remote)?.Cookie);
    }

    [SkippableTheory]
    [InlineData("pipe", "fifo")]
    [InlineData("sock", "socket")]
    public void A_descriptor_number_reused_by_another_file_is_skipped_and_the_socket_left_alone(string reuse, string kind)
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer, local, remote) = Remedy.HeldCloseWait(lab);
        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = holder.Pid });
        Assert.Equal(holder.Fd, Assert.Single(plan.Actions).Socket.Fd);

        // The socket lives on under another number; the planned number now names a pipe or another socket.
        Assert.True(holder.Call("dup") > holder.Fd);
        Assert.Equal(0, holder.Call("close"));
        Assert.Equal(holder.Fd, holder.Call(reuse));
        var before = Remedy.Census(lab.Diag);

        var run = Remedy.Apply(lab.Local, plan);

        var result = Assert.Single(run.Results);
        Assert.Equal(OutcomeKind.Skipped, result.Kind);
        Assert.Contains($"fd {holder.Fd} of process {holder.Pid} now refers to another file ({kind}", result.Detail, StringComparison.Ordinal);
        Assert.Equal(TcpState.CloseWait, lab.Find(local, remote)?.KernelState);
        Assert.Equal(before, Remedy.Census(lab.Diag));
    }

    [SkippableFact]
    public void A_socket_whose_state_moved_on_is_skipped()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer, local, remote) = Remedy.HeldCloseWait(lab);
        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = holder.Pid });
        lab.SilencePeer();
        Assert.Equal(0, holder.Call("close")); // our FIN goes unanswered: LAST_ACK, same cookie
        Assert.Equal(TcpState.LastAck, lab.WaitFor(local, remote, TcpState.LastAck));

        var run = Remedy.Apply(lab.Local, plan);

        var result = Assert.Single(run.Results);
        Assert.Equal(OutcomeKind.Skipped, result.Kind);
        Assert.Equal("state moved on: CLOSE_WAIT → LAST_ACK", result.Detail);
    }

    [SkippableFact]
    public void A_process_we_may_not_ptrace_is_refused_with_eperm_and_its_socket_untouched()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer, local, remote) = Remedy.HeldCloseWait(lab, uid: 65534);
        var planned = Assert.Single(Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = holder.Pid }).Actions);
        var before = Remedy.Census(lab.Diag);
        var opened = new KernelHandsFactory().Open(lab.Local.Inode);
        Assert.True(opened.IsOk, opened.Error?.ToString());
        using var hands = opened.Value;

        // Acting as another unprivileged user (credentials are per thread, so on a thread of its own).
        HandsOutcome outcome = default;
        var thread = new Thread(() =>
        {
            Assert.Equal(0, ThreadCredentials.DropTo(65533));
            outcome = hands.Apply(planned);
        });
        thread.Start();
        thread.Join();

        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        Assert.Equal(Errno.EPERM, outcome.Errno);
        Assert.Contains("ptrace", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Remedy.Census(lab.Diag));
    }

    [SkippableFact]
    public void The_owner_exiting_mid_run_turns_the_rest_into_skips_never_refusals()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        using var crowd = Crowd.Start(lab.Local, IPAddress.Parse("10.199.0.1"));
        _ = lab.Pair();
        CloseWaitsHeldBy(lab, crowd, 40);
        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = crowd.Pid });
        Assert.Equal(40, plan.Actions.Length);
        var before = Remedy.Census(lab.Diag);

        // 20 a second; the owner is killed after the fifth socket.
        var run = Remedy.Apply(lab.Local, plan, rate: 20, progress: p =>
        {
            if (p.Done == 5) crowd.Kill();
        });

        Assert.Equal(40, run.Results.Length);
        Assert.Equal(5, run.Totals.Released);
        Assert.Equal(35, run.Totals.Skipped);
        Assert.Equal(0, run.Totals.Refused);
        Assert.All(run.Results.Skip(5), r => Assert.Matches("vanished|state moved on|has exited", r.Detail));
        // The dead owner's own listener went with it; every other socket is as it was.
        Remedy.NoBystanderChanged(before, Remedy.Census(lab.Diag), plan.Actions.Select(a => a.Socket), exempt: s => s.Local.Port == crowd.Endpoint.Port);
    }

    [SkippableFact]
    public void Ten_thousand_sockets_are_released_at_the_rate_asked_and_nothing_else_changes()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        using var crowd = Crowd.Start(lab.Local, IPAddress.Parse("10.199.0.1"));
        var (otherHolder, otherPeer) = lab.Held(); // the same class, another owner: not selected
        otherPeer.Shutdown(SocketShutdown.Send);
        _ = lab.Pair();
        _ = lab.Pair();
        CloseWaitsHeldBy(lab, crowd, 10_000);
        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = crowd.Pid });
        Assert.Equal(10_000, plan.Actions.Length);
        var before = Remedy.Census(lab.Diag);

        const double rate = 4000;
        var run = Remedy.Apply(lab.Local, plan, rate);

        output.WriteLine($"released {run.Totals.Released} sockets in {run.Elapsed.TotalSeconds:0.00} s at --rate {rate}/s");
        Assert.Equal(10_000, run.Totals.Released);
        // The limiter admits at most a twentieth of a second's worth at once: 10,000 at 4,000/s cannot finish before ~2.45 s.
        Assert.True(run.Elapsed >= TimeSpan.FromSeconds(2.4), $"finished in {run.Elapsed.TotalSeconds:0.00} s: the rate limit was not applied");
        var after = Remedy.Census(lab.Diag);
        int bystanders = Remedy.NoBystanderChanged(before, after, plan.Actions.Select(a => a.Socket));
        output.WriteLine($"{bystanders} bystanders unchanged");
        Assert.Equal(0, after.Values.Count(s => s.State == TcpState.CloseWait && plan.Actions.Any(a => a.Socket.Inode == s.Inode)));
        Assert.False(crowd.HasExited);
        GC.KeepAlive(otherHolder);
    }

    /// <summary><paramref name="count"/> clients in the peer namespace connect to the crowd and close: CLOSE_WAIT held by the crowd.</summary>
    internal static void CloseWaitsHeldBy(HandsLab lab, Crowd crowd, int count)
    {
        var clients = NetNs.Run(lab.PeerNamespace, () =>
        {
            var list = new List<Socket>(count);
            for (int i = 0; i < count; i++)
            {
                var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                c.Connect(crowd.Endpoint);
                list.Add(c);
            }

            return list;
        });
        Assert.True(clients.IsOk, clients.Error?.ToString());
        foreach (var c in clients.Value) c.Dispose();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            int held = Remedy.Census(lab.Diag).Values.Count(s => s.State == TcpState.CloseWait && s.Local.Port == crowd.Endpoint.Port && s.Inode != 0);
            if (held == count) return;
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"only {held} of {count} CLOSE_WAIT accepted by the crowd");
            Thread.Sleep(50);
        }
    }
}
