using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>LAST_ACK (spec §3.2 LAST_ACK; tcp_input.c:tcp_rcv_state_process, tcp_done).</summary>
public sealed class LastAckTests
{
    [Fact]
    public void LastAck_AckOfOurFin_Orphan_IsDestroyed_WithoutTimeWait()
    {
        var t = Fixtures.LastAck();
        t.Inject(t.Ack());
        t.ExpectNothingSent();
        t.ExpectGone();
        Assert.True(t.Sock.Freed);
        Assert.Equal(0, t.Delta(Mib.TW));
        Assert.Equal(0, t.Local.OrphanCount);
    }

    [Fact]
    public void LastAck_AckOfOurFin_Attached_GoesToClose_RecvStillZero()
    {
        var t = Fixtures.LastAck(orphan: false);
        t.Inject(t.Ack());
        t.ExpectState(TcpState.Close);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.None, t.SoError());
    }

    [Fact]
    public void LastAck_RetransmittedFin_GetsImmediateDupAck()
    {
        var t = Fixtures.LastAck();
        t.Inject(t.Fin(seq: -1, ack: -1));
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.LastAck);
    }

    [Fact]
    public void LastAck_DataBeyondRcvNxt_IsDropped()
    {
        var t = Fixtures.LastAck();
        t.Inject(t.Data(10, ack: -1));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.LastAck);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void LastAck_RstExactOrAtRcvNxtMinusOne_DestroysTheOrphan(int seq)
    {
        var t = Fixtures.LastAck();
        t.Inject(t.Rst(seq));
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void LastAck_RstInWindowNonExact_GetsChallengeAck_RateLimitedTo500ms()
    {
        var t = Fixtures.LastAck();

        t.Inject(t.Rst(seq: 50));
        t.ExpectSent(".", ack: t.RcvNxt);

        // (the FIN's own retransmissions may leave meanwhile; only pure ACKs matter here)
        t.Run(499).TakeSent();
        t.Inject(t.Rst(seq: 50));
        t.ExpectNothingSent();
        Assert.Equal(1, t.Delta(Mib.TCPACKSkippedChallenge));

        t.Run(2).TakeSent();
        t.Inject(t.Rst(seq: 50));
        t.ExpectSent(".");
        t.ExpectState(TcpState.LastAck);
    }

    [Fact]
    public void LastAck_AckOfUnsentData_GetsChallengeAck()
    {
        // §3.0 step 6: ack > snd_nxt outside ESTABLISHED → challenge ACK
        var t = Fixtures.LastAck();
        t.Inject(t.Ack(ack: 100));
        t.ExpectSent(".");
        t.ExpectState(TcpState.LastAck);
    }

    [Fact]
    public void LastAck_Attached_RstExact_RecvZero_SoErrorEconnreset()
    {
        var t = Fixtures.LastAck(orphan: false);
        t.Inject(t.Rst());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.ECONNRESET, t.SoError());
    }
}
