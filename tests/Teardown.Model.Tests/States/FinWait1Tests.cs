using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>FIN_WAIT1 (spec §3.2 FIN_WAIT1 table and its orphan checks; §4.2 entry B; tcp_input.c:tcp_rcv_state_process).</summary>
public sealed class FinWait1Tests
{
    [Fact]
    public void FinWait1_AckCoveringTheFin_Orphan_BecomesTimewaitFinWait2For60s()
    {
        var t = Fixtures.FinWait1();

        t.Inject(t.Ack());

        // §4.2 entry B, X = 60 s: tcp_time_wait(FIN_WAIT2, 60 s), counted as TW
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 60.0);
        Assert.NotNull(t.Timewait);
        Assert.Equal(1, t.Delta(Mib.TW));
    }

    [Fact]
    public void FinWait1_AckNotCoveringTheFin_Stays()
    {
        var t = Fixtures.FinWait1();
        t.Inject(t.Ack(ack: -1));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait1).ExpectTimer(TimerKind.Retransmit);
    }

    [Fact]
    public void FinWait1_Fin_EntersClosing_AndAcksAtOnce()
    {
        var t = Fixtures.FinWait1();

        t.Inject(t.Fin(ack: -1));

        // tcp_fin: immediate ACK in FIN_WAIT1
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.Closing);
    }

    [Fact]
    public void FinWait1_FinAckCoveringOurFin_EntersTimeWait_AndAcksAtOnce()
    {
        var t = Fixtures.FinWait1();

        t.Inject(t.Fin());

        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void FinWait1_FinAckCoveringOurFin_Attached_FullSocketClosesAndAppSeesEof()
    {
        // §6.1.17: the full socket goes to CLOSE; a separate timewait socket holds TIME_WAIT
        var t = Fixtures.FinWait1(orphan: false);
        t.Inject(t.Fin());
        Assert.Equal(TcpState.Close, t.Sock.State);
        Assert.Equal(TcpState.TimeWait, t.Timewait?.Substate);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void FinWait1_OrphanGetsNewData_ReplyRst_AbortOnData_Destroyed()
    {
        var t = Fixtures.FinWait1();
        var seg = t.Data(10, ack: -1);

        t.Inject(seg);

        // §3.0 step 8 abort-on-data: reply RST (seq = their ack, no ACK flag, window 0)
        t.ExpectSent("R", seq: seg.Ack, window: 0);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        t.ExpectGone();
    }

    [Fact]
    public void FinWait1_AttachedAfterShutWr_QueuesData()
    {
        // half-close: receiving still works
        var t = Fixtures.FinWait1(orphan: false);
        t.Inject(t.Data(10, ack: -1)).Run(300);
        t.ExpectState(TcpState.FinWait1);
        Assert.Equal(10, t.Recv().Value);
        Assert.Contains(t.TakeSent(), s => s.Flags == TcpFlags.Ack && s.Ack == t.RcvNxt);
    }

    [Fact]
    public void FinWait1_AfterShutRdwr_DataResets_RecvEconnresetThenZero_SendEpipe()
    {
        // §2.4 SHUT_RDWR [E6.18]: [R] win=0, TCPAbortOnData; recv ECONNRESET then b''; send EPIPE
        var t = Fixtures.Established();
        t.Shutdown(ShutdownFlags.Both);
        t.Baseline();
        var seg = t.Data(10, ack: -1);

        t.Inject(seg);

        t.ExpectSent("R", seq: seg.Ack, window: 0);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        Assert.Equal(Errno.ECONNRESET, t.Recv().Errno);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void FinWait1_RstExact_Orphan_DestroyedSilently()
    {
        var t = Fixtures.FinWait1();
        t.Inject(t.Rst());
        t.ExpectNothingSent();
        t.ExpectGone();
        Assert.True(t.Sock.Freed);
    }

    [Fact]
    public void FinWait1_RstExact_Attached_Econnreset()
    {
        var t = Fixtures.FinWait1(orphan: false);
        t.Inject(t.Rst());
        t.ExpectState(TcpState.Close);
        Assert.Equal(Errno.ECONNRESET, t.Recv().Errno);
    }

    [Fact]
    public void FinWait1_Syn_GetsChallengeAck()
    {
        var t = Fixtures.FinWait1();
        t.Inject(t.Syn());
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.FinWait1);
    }

    [Fact]
    public void FinWait1_Linger2Negative_AckOfFin_GetsReplyRst_AbortOnData()
    {
        // §2.5, §6.1.1 [E6.18]: `[R] seq=<ack> win=0`, TCPAbortOnData (not TCPAbortOnLinger)
        var t = Fixtures.FinWait1(options: s => s.Local.SetLinger2(s.Fd, -1));
        var ack = t.Ack();

        t.Inject(ack);

        t.ExpectSent("R", seq: ack.Ack, window: 0);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnLinger));
        t.ExpectGone();
    }

    [Fact]
    public void FinWait1_AckOfFinCarryingNewData_Orphan_ReplyRst_AbortOnData()
    {
        // §3.2 orphan check 2
        var t = Fixtures.FinWait1();
        var seg = t.Data(5);
        t.Inject(seg);
        t.ExpectSent("R", seq: seg.Ack);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        t.ExpectGone();
    }

    [Fact]
    public void FinWait1_AckOfFin_Linger2Of65_StaysFullSocketOnKeepaliveFor5s()
    {
        // §4.2: X > 60 s arms the keepalive timer for X − 60 s; the full socket stays
        var t = Fixtures.FinWait1(options: s => s.Local.SetLinger2(s.Fd, 65));
        t.Inject(t.Ack());
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Keepalive, 5.0);
        Assert.Null(t.Timewait);
    }

    [Fact]
    public void FinWait1_FinAckCoveringOurFin_Linger2Of65_StillReachesTimeWait()
    {
        var t = Fixtures.FinWait1(options: s => s.Local.SetLinger2(s.Fd, 65));
        t.Inject(t.Fin());
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void FinWait1_ShowsOurFinInSendQ_AndRetransmitTimer()
    {
        // §5.2: orphan FIN_WAIT1 with 3 bytes + FIN unacked: `FIN-WAIT-1 0 4 timer:(on,…)`
        var t = Fixtures.Established();
        t.Send(3);
        t.Close();
        Assert.Equal(new EndView(TcpState.FinWait1, TimerKind.Retransmit, t.View.Expires, 0, 4, true), t.View);
    }
}
