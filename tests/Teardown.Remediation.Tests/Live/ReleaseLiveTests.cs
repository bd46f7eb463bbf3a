using System.Net.Sockets;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;
using Teardown.Linux.Tests.Support;
using Teardown.Remediation.Tests.Support;

namespace Teardown.Remediation.Tests.Live;

/// <summary>
/// <c>release</c> on each CLOSE_WAIT class the doctor names, on the real kernel: the owner is another
/// process in a private namespace, the peer is in a second namespace behind a veth, and every
/// segment our namespace sends is captured. A second owner's identical CLOSE_WAIT and an ESTABLISHED
/// pair are bystanders that must not change.
/// </summary>
public sealed class ReleaseLiveTests
{
    public enum Setup
    {
        UnreadEof,
        ReadNotClosed,
        UnreadData,
    }

    [SkippableTheory]
    [InlineData(Setup.UnreadEof, SocketClass.CloseWaitUnreadEof)]
    [InlineData(Setup.ReadNotClosed, SocketClass.CloseWaitReadNotClosed)]
    [InlineData(Setup.UnreadData, SocketClass.CloseWaitUnreadData)]
    public void Release_sends_our_fin_never_an_rst_and_the_owner_keeps_a_descriptor_that_reads_end_of_stream(Setup setup, SocketClass expected)
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer) = lab.Held();
        var (bystanderHolder, bystanderPeer) = lab.Held();
        _ = lab.Pair(); // an ESTABLISHED bystander
        if (setup == Setup.UnreadData) peer.Send(new byte[5]);
        peer.Shutdown(SocketShutdown.Send);
        bystanderPeer.Shutdown(SocketShutdown.Send);
        Thread.Sleep(50);
        if (setup == Setup.ReadNotClosed) Assert.Equal(0, holder.Read().Result);

        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = holder.Pid });
        var planned = Assert.Single(plan.Actions);
        Assert.Equal(expected, planned.Class);
        Assert.Equal((holder.Pid, holder.Fd), (planned.Socket.Pid, planned.Socket.Fd));
        var before = Remedy.Census(lab.Diag);
        lab.Wire(peer.RemoteEndPoint!, peer.LocalEndPoint!, settleMs: 0); // forget the set-up's segments
        long resetsBefore = Remedy.OutRsts(lab.Local);

        var run = Remedy.Apply(lab.Local, plan);

        var result = Assert.Single(run.Results);
        Assert.Equal(OutcomeKind.Released, result.Kind);
        var sent = lab.Wire(peer.RemoteEndPoint!, peer.LocalEndPoint!);
        Assert.Contains(sent, s => s.Fin);
        Assert.DoesNotContain(sent, s => s.Rst);
        Assert.Equal(resetsBefore, Remedy.OutRsts(lab.Local));
        // Our FIN was acknowledged: LAST_ACK ended, the kernel holds nothing for that end.
        Assert.Equal(TcpState.Close, lab.WaitFor(peer.RemoteEndPoint!, peer.LocalEndPoint!, TcpState.Close));
        // The peer reads a clean end of stream.
        Assert.Equal(0, peer.Receive(new byte[16]));
        // The owner's descriptor is still open: unread bytes, then end of stream; writing fails with EPIPE.
        if (setup == Setup.UnreadData) Assert.Equal(5, holder.Read().Result);
        Assert.Equal(0, holder.Read().Result);
        Assert.Equal(Errno.EPIPE, holder.Write().Errno);
        // The same class held by another process, and the ESTABLISHED pair, are untouched.
        Remedy.NoBystanderChanged(before, Remedy.Census(lab.Diag), [planned.Socket]);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(bystanderPeer.RemoteEndPoint!, bystanderPeer.LocalEndPoint!, TcpState.CloseWait));
    }

    [SkippableFact]
    public void A_half_closed_fin_wait2_is_not_released_because_our_fin_is_already_sent()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, _) = lab.Held();
        Assert.Equal(0, holder.Call("shutwr"));
        Thread.Sleep(50);

        var plan = Remedy.Plan(lab.Local, new ActionSelection { Action = ActionKind.Release, Pid = holder.Pid });

        Assert.Empty(plan.Actions);
        var refused = Assert.Single(plan.Refused);
        Assert.Equal(SocketClass.FinWait2HalfClosed, refused.Class);
        Assert.Contains("already sent", refused.Reason, StringComparison.Ordinal);
    }
}
