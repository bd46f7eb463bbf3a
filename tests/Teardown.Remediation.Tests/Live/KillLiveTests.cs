using System.Net;
using System.Net.Sockets;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Tests.Support;
using Teardown.Remediation.Tests.Support;

namespace Teardown.Remediation.Tests.Live;

/// <summary>
/// <c>kill</c> (SOCK_DESTROY) on each class it is for, on the real kernel: what goes on the wire
/// (RST or nothing), that the socket is gone, what the owner's descriptor then returns, and that no
/// other socket of the namespace changed.
/// </summary>
public sealed class KillLiveTests
{
    [SkippableFact]
    public void An_orphaned_fin_wait1_retransmitting_to_a_dead_peer_is_reset()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (client, _) = lab.Pair();
        _ = lab.Pair();
        var (local, remote) = (client.LocalEndPoint!, client.RemoteEndPoint!);
        lab.SilencePeer();
        client.Send(new byte[100]);
        client.Close();
        Assert.Equal(TcpState.FinWait1, lab.WaitFor(local, remote, TcpState.FinWait1));

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, Class = SocketClass.FinWait1Orphaned }, local, remote);

        Assert.Equal(SocketClass.FinWait1Orphaned, killed.Class);
        Assert.Contains(sent, s => s.Rst);
    }

    [SkippableFact]
    public void An_orphaned_last_ack_vanishes_silently()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (client, server) = lab.Pair();
        _ = lab.Pair();
        var (local, remote) = (client.LocalEndPoint!, client.RemoteEndPoint!);
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(local, remote, TcpState.CloseWait));
        lab.SilencePeer();
        client.Close();
        Assert.Equal(TcpState.LastAck, lab.WaitFor(local, remote, TcpState.LastAck));

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, Class = SocketClass.LastAckOrphaned }, local, remote);

        Assert.Equal(SocketClass.LastAckOrphaned, killed.Class);
        Assert.DoesNotContain(sent, s => s.Rst);
    }

    [SkippableFact]
    public void An_orphaned_fin_wait2_vanishes_silently_and_the_peers_later_fin_meets_a_reset()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (client, server) = lab.Pair();
        _ = lab.Pair();
        var (local, remote) = (client.LocalEndPoint!, client.RemoteEndPoint!);
        client.Close();
        Assert.Equal(TcpState.FinWait2, lab.WaitFor(local, remote, TcpState.FinWait2));

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, Class = SocketClass.FinWait2Orphaned }, local, remote);

        Assert.Equal(SocketClass.FinWait2Orphaned, killed.Class);
        Assert.DoesNotContain(sent, s => s.Rst);
        server.Shutdown(SocketShutdown.Send); // the peer, still in CLOSE_WAIT, closes at last
        Assert.Contains(lab.Wire(local, remote), s => s.Rst);
    }

    [SkippableFact]
    public void Time_wait_is_only_chosen_when_named_and_then_vanishes_silently()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (client, server) = lab.Pair();
        _ = lab.Pair();
        var (local, remote) = (client.LocalEndPoint!, client.RemoteEndPoint!);
        client.Close();
        server.Close();
        Assert.Equal(TcpState.TimeWait, lab.WaitFor(local, remote, TcpState.TimeWait));
        Assert.Empty(Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Kill }).Actions.Where(a => a.Socket.State == TcpState.TimeWait));

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, States = new HashSet<TcpState> { TcpState.TimeWait } }, local, remote);

        Assert.Equal(SocketClass.TimeWait, killed.Class);
        Assert.DoesNotContain(sent, s => s.Rst);
    }

    [SkippableFact]
    public void A_close_wait_never_accepted_is_reset_out_of_the_accept_queue()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        _ = lab.Pair();
        // A listener in our namespace that never accepts; the peer connects and closes.
        var listening = NetNs.Run(lab.Local, () =>
        {
            var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            l.Bind(new IPEndPoint(IPAddress.Parse("10.199.0.1"), 0));
            l.Listen(8);
            return l;
        });
        using var listener = listening.Value;
        var peer = NetNs.Run(lab.PeerNamespace, () =>
        {
            var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            c.Connect(listener.LocalEndPoint!);
            return c;
        }).Value;
        var (local, remote) = (peer.RemoteEndPoint!, peer.LocalEndPoint!);
        peer.Close();
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(local, remote, TcpState.CloseWait));

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, Class = SocketClass.CloseWaitNeverAccepted }, local, remote);

        Assert.Equal(SocketClass.CloseWaitNeverAccepted, killed.Class);
        Assert.Contains(sent, s => s.Rst); // the listener itself is one of the bystanders Kill checked
    }

    [SkippableFact]
    public void A_held_close_wait_killed_by_name_is_reset_and_its_owner_reads_end_of_stream_then_econnaborted()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer, local, remote) = Remedy.HeldCloseWait(lab);
        // Not named: kill leaves a held socket alone and says to release it.
        var unnamed = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Kill, Port = ((IPEndPoint)remote).Port });
        Assert.Empty(unnamed.Actions);
        Assert.Contains(unnamed.Refused, r => r.Reason.Contains("release it", StringComparison.Ordinal));

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, Pid = holder.Pid }, local, remote);

        Assert.Equal(SocketClass.CloseWaitUnreadEof, killed.Class);
        Assert.Contains(sent, s => s.Rst);
        Assert.Equal(0, holder.Read().Result);
        Assert.Equal(Errno.ECONNABORTED, holder.Write().Errno);
        Assert.Equal(Errno.EPIPE, holder.Write().Errno);
    }

    [SkippableFact]
    public void Established_is_only_chosen_when_named_and_then_reset_the_owner_reads_econnaborted()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer) = lab.Held();
        _ = lab.Pair();
        var (local, remote) = (peer.RemoteEndPoint!, peer.LocalEndPoint!);
        Assert.Empty(Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Kill, Pid = holder.Pid }).Actions);

        var (killed, sent) = Kill(lab, new ActionSelection { Action = ActionKind.Kill, Pid = holder.Pid, States = new HashSet<TcpState> { TcpState.Established } }, local, remote);

        Assert.Equal(SocketClass.Established, killed.Class);
        Assert.Contains(sent, s => s.Rst);
        Assert.Equal(Errno.ECONNABORTED, holder.Read().Errno);
        Assert.Equal(Errno.EPIPE, holder.Write().Errno);
        Assert.Throws<SocketException>(() => peer.Receive(new byte[8]));
    }

    /// <summary>Plans, checks that the one planned socket is the given one, kills it, and checks it is gone and nothing else changed.</summary>
    private static (PlannedAction Killed, List<Segment> Sent) Kill(HandsLab lab, ActionSelection selection, EndPoint local, EndPoint remote)
    {
        var plan = Remedy.Plan(lab.Local, selection);
        var planned = Assert.Single(plan.Actions);
        Assert.Equal(HandsLab.Endpoint(local), planned.Socket.Local);
        Assert.Equal(HandsLab.Endpoint(remote), planned.Socket.Remote);
        var before = Remedy.Census(lab.Diag);
        lab.Wire(local, remote, settleMs: 0);
        long resetsBefore = Remedy.OutRsts(lab.Local);

        var run = Remedy.Apply(lab.Local, plan);

        Assert.Equal(OutcomeKind.Killed, Assert.Single(run.Results).Kind);
        var sent = lab.Wire(local, remote);
        // The counter agrees with the wire: Tcp OutRsts grows by the RSTs sent, and only by them.
        Assert.Equal(sent.Count(s => s.Rst), Remedy.OutRsts(lab.Local) - resetsBefore);
        Assert.Null(lab.Find(local, remote));
        Remedy.NoBystanderChanged(before, Remedy.Census(lab.Diag), [planned.Socket]);
        return (planned, sent);
    }
}
