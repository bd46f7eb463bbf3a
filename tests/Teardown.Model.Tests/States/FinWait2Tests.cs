using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>
/// FIN_WAIT2 as a full socket: attached after SHUT_WR, or an orphan on the keepalive-timer path (TCP_LINGER2 over
/// 60 s). Spec §3.2 FIN_WAIT2 (full socket), §6.1.3, §6.1.14.
/// </summary>
public sealed class FinWait2Tests
{
    private static TcpScript OrphanOnKeepalive() => Fixtures.FinWait2Orphan(linger2: 65);

    [Fact]
    public void FinWait2_Fin_EntersTimeWait_AndAcksAtOnce()
    {
        var t = Fixtures.FinWait2Attached();

        t.Inject(t.Fin());

        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
        Assert.Equal(1, t.Delta(Mib.TW));
        // The application sees EOF on its (now CLOSE) socket (§6.1.17)
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void FinWait2Attached_HasNoTimer_AndLastsForever()
    {
        // §6.1.14 [E6.18: no timer shown]
        var t = Fixtures.FinWait2Attached();
        t.RunSeconds(10_000);
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.None);
        t.ExpectNothingSent();
    }

    [Fact]
    public void FinWait2Attached_Data_IsQueuedAndReadable()
    {
        var t = Fixtures.FinWait2Attached();
        t.Inject(t.Data(7)).Run(300);
        Assert.Equal(7, t.Recv().Value);
        t.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void FinWait2Attached_AfterShutRdToo_Data_ReplyRst_AbortOnData()
    {
        var t = Fixtures.FinWait2Attached();
        t.Shutdown(ShutdownFlags.Receive);
        var seg = t.Data(7);

        t.Inject(seg);

        t.ExpectSent("R", seq: seg.Ack, window: 0);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        Assert.Equal(Errno.ECONNRESET, t.Recv().Errno);
    }

    [Fact]
    public void FinWait2Attached_RstExact_Econnreset_ThenSendEpipe()
    {
        var t = Fixtures.FinWait2Attached();
        t.Inject(t.Rst());
        t.ExpectState(TcpState.Close);
        Assert.Equal(Errno.ECONNRESET, t.Send(1).Errno);
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void FinWait2Attached_SendGivesEpipe()
    {
        // §2.7: FIN_WAIT2 after SHUT_WR → EPIPE
        var t = Fixtures.FinWait2Attached();
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void FinWait2Orphan_Data_ReplyRst_AbortOnData()
    {
        var t = OrphanOnKeepalive();
        var seg = t.Data(10);
        t.Inject(seg);
        t.ExpectSent("R", seq: seg.Ack, window: 0);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Orphan_RstExact_DestroyedSilently()
    {
        var t = OrphanOnKeepalive();
        t.Inject(t.Rst());
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Orphan_RstInWindowNotExact_ChallengeAck_AndSurvives()
    {
        // §6.1.3: the full socket answers a challenge ACK (the timewait form would die)
        var t = OrphanOnKeepalive();
        t.Inject(t.Rst(seq: 100));
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Keepalive);
    }

    [Fact]
    public void FinWait2Orphan_Syn_ChallengeAck_AndSurvives()
    {
        var t = OrphanOnKeepalive();
        t.Inject(t.Syn());
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void FinWait2Orphan_PureAck_DoesNothing()
    {
        var t = OrphanOnKeepalive();
        t.Inject(t.Ack());
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Keepalive, 5.0);
    }

    [Fact]
    public void FinWait2Orphan_FinWithoutAck_IsDropped()
    {
        var t = OrphanOnKeepalive();
        t.Inject(t.Seg("F"));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void FinWait2Orphan_Fin_EntersTimeWait()
    {
        var t = OrphanOnKeepalive();
        t.Inject(t.Fin());
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
    }
}
