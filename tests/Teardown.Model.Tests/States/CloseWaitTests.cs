using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>CLOSE_WAIT (spec §3.2 CLOSE_WAIT table, §4.8; tcp_input.c:tcp_reset, tcp_reset_check).</summary>
public sealed class CloseWaitTests
{
    [Fact]
    public void CloseWait_RetransmittedFin_GetsImmediateDupAck()
    {
        var t = Fixtures.CloseWait();
        t.Inject(t.Fin(seq: -1));
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.CloseWait);
    }

    [Fact]
    public void CloseWait_DataBeyondTheFin_IsDroppedSilently()
    {
        // §6.1.20 [E6.18]: no ACK, no RST
        var t = Fixtures.CloseWait();
        t.Inject(t.Data(10)).Run(300);
        t.ExpectNothingSent();
        t.ExpectState(TcpState.CloseWait);
        Assert.Equal(1, t.View.RecvQ);
    }

    [Fact]
    public void CloseWait_DataOverlappingRcvNxt_GetsReplyRst_AbortOnData_Epipe()
    {
        // §3.2: starts below rcv_nxt and extends beyond it → abort-on-data
        var t = Fixtures.CloseWait();
        var seg = t.Data(10, seq: -5);

        t.Inject(seg);

        t.ExpectSent("R", seq: seg.Ack, window: 0);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        t.ExpectState(TcpState.Close);
        Assert.Equal(Errno.EPIPE, t.SoError());
    }

    [Fact]
    public void CloseWait_RstExact_GivesEpipe_WhileRecvStillReturnsZero()
    {
        // §6.1.5 [E6.18]: recv b'' b''; SO_ERROR 32; send EPIPE
        var t = Fixtures.CloseWait();

        t.Inject(t.Rst());

        t.ExpectNothingSent();
        t.ExpectState(TcpState.Close);
        Assert.Equal(1, t.Delta(Mib.EstabResets));
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.EPIPE, t.SoError());
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void CloseWait_RstAtRcvNxtMinusOne_IsAccepted()
    {
        // tcp_reset_check: for peers that send FIN then RST
        var t = Fixtures.CloseWait();
        t.Inject(t.Rst(seq: -1));
        t.ExpectState(TcpState.Close);
        Assert.Equal(Errno.EPIPE, t.SoError());
    }

    [Fact]
    public void CloseWait_RstInWindowOther_GetsChallengeAck()
    {
        var t = Fixtures.CloseWait();
        t.Inject(t.Rst(seq: 100));
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.CloseWait);
    }

    [Fact]
    public void CloseWait_SendIsAccepted()
    {
        // §2.7: writing into CLOSE_WAIT is legal
        var t = Fixtures.CloseWait();
        Assert.Equal(10, t.Send(10).Value);
        t.ExpectSent("P.");
    }

    [Fact]
    public void CloseWait_TimeAloneNeverEndsIt()
    {
        // §4.8: no teardown timer in CLOSE_WAIT
        var t = Fixtures.CloseWait();
        t.RunSeconds(10_000);
        t.ExpectState(TcpState.CloseWait).ExpectTimer(TimerKind.None);
        t.ExpectNothingSent();
    }

    [Fact]
    public void CloseWait_RecvOfTheFin_EmptiesRecvQ()
    {
        // §5.2: CLOSE-WAIT 1 0, then 0 0 after recv() returned 0
        var t = Fixtures.CloseWait();
        Assert.Equal(1, t.View.RecvQ);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(0, t.View.RecvQ);
    }

    [Fact]
    public void CloseWait_Close_SendsFin_AndLeavesAnOrphanLastAck()
    {
        var t = Fixtures.CloseWait();
        Assert.Equal(SyscallResult.Ok(), t.Close().Result);
        t.ExpectSent("F.", seq: Seq.Add(t.SndNxt, -1), ack: t.RcvNxt);
        t.ExpectState(TcpState.LastAck).ExpectTimer(TimerKind.Retransmit);
        Assert.True(t.View.Orphan);
        // §5.2: the FIN never read counts 1 in Recv-Q; our FIN counts 1 in Send-Q
        Assert.Equal((1L, 1L), (t.View.RecvQ, t.View.SendQ));
    }

    [Fact]
    public void CloseWait_ShutWr_SendsFin_LastAckAttached()
    {
        var t = Fixtures.CloseWait();
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(ShutdownFlags.Send));
        t.ExpectSent("F.");
        t.ExpectState(TcpState.LastAck);
        Assert.False(t.View.Orphan);
    }
}
