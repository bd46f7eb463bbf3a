using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>
/// The timewait socket in substate TIME_WAIT: every row of spec §3.2 TIME_WAIT, §4.3, §6.1.4, §6.1.16
/// (tcp_minisocks.c:tcp_timewait_state_process; tcp_ipv4.c:tcp_v4_rcv).
/// </summary>
public sealed class TimeWaitTests
{
    [Fact]
    public void TimeWait_BareAckAtRcvNxt_RestartsTheTimerTo60s_Silently()
    {
        // [E6.18: 56 s became 59 s]
        var t = Fixtures.TimeWait();
        t.RunSeconds(4);

        t.Inject(t.Ack());

        t.ExpectNothingSent();
        t.ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void TimeWait_ExactRst_KillsIt_WithDefaultRfc1337()
    {
        var t = Fixtures.TimeWait();
        t.Inject(t.Rst());
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void TimeWait_ExactRst_IsIgnored_WithRfc1337()
    {
        var t = Fixtures.TimeWait(local: k => k.TcpRfc1337 = 1);
        t.Inject(t.Rst());
        t.ExpectNothingSent();
        t.ExpectState(TcpState.TimeWait);
    }

    [Fact]
    public void TimeWait_RstWithOtherSeq_IsIgnored()
    {
        var t = Fixtures.TimeWait();
        t.Inject(t.Rst(seq: 5));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.TimeWait);
    }

    [Fact]
    public void TimeWait_NewSynWithoutListener_GetsAck_AndStays_TimerNotRestarted()
    {
        var t = Fixtures.TimeWait();
        t.RunSeconds(10);

        t.Inject(t.Syn(seq: 1000));

        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 50.0);
    }

    [Fact]
    public void TimeWait_NewSynWithListener_KillsIt_AndTheListenerAnswersWithIsnOldSndNxtPlus65537()
    {
        // tcp_timewait_state_process: TCP_TW_SYN, tcp_tw_isn = tw_snd_nxt + 65535 + 2
        var t = Fixtures.TimeWait();
        uint oldSndNxt = t.SndNxt;
        t.Local.Listen(t.Tuple.LocalPort);
        var syn = t.Syn(seq: 1000);

        t.Inject(syn);

        var synAck = t.ExpectSent("S.", ack: Seq.Add(syn.Seq, 1));
        Assert.Equal(Seq.Add(oldSndNxt, 65537), synAck.Seq);
        Assert.Equal(TcpState.SynRecv, t.View.State);
    }

    [Fact]
    public void TimeWait_RetransmittedFin_GetsAck_AndRestartsTheTimer()
    {
        var t = Fixtures.TimeWait();
        t.RunSeconds(10);

        t.Inject(t.Fin(seq: -1));

        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void TimeWait_OutOfWindowData_GetsAck_AndRestartsTheTimer()
    {
        var t = Fixtures.TimeWait();
        t.RunSeconds(10);
        t.Inject(t.Data(10, seq: 10_000_000));
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void TimeWait_SecondZeroLengthOutOfWindowAckWithin500ms_IsSuppressed()
    {
        var t = Fixtures.TimeWait();
        t.Inject(t.Ack(seq: 10_000_000)).Run(100).Inject(t.Ack(seq: 10_000_000));
        t.ExpectSent(".");
        Assert.Equal(1, t.Delta(Mib.TCPACKSkippedTimeWait));
    }

    [Fact]
    public void TimeWait_Expiry_FreesItSilently_ThenANoSocketReplyRst()
    {
        var t = Fixtures.TimeWait();
        t.RunSeconds(60 + TcpScript.WheelSlack(60));
        t.ExpectNothingSent();
        t.ExpectGone();
        var fin = t.Fin(seq: -1);
        t.Inject(fin);
        t.ExpectSent("R", seq: fin.Ack);
    }

    [Fact]
    public void TimeWait_Lasts60s_UpToTheWheelsBucket_EvenWithTcpFinTimeout5()
    {
        // §6.1.16: tcp_fin_timeout never changes TIME_WAIT. The timer runs at its level-3 bucket: 60.004–62.048 s.
        var t = Fixtures.TimeWait(local: k => k.TcpFinTimeout = 5);
        t.RunSeconds(60.003).ExpectState(TcpState.TimeWait);
        t.RunSeconds(TcpScript.WheelSlack(60)).ExpectGone();
    }

    [Fact]
    public void TimeWait_HeldOpenByAPeerThatKeepsAcking()
    {
        // §6.1.4 (derived): every in-window bare ACK restarts the 60 s
        var t = Fixtures.TimeWait();
        for (int i = 0; i < 10; i++) t.RunSeconds(50).Inject(t.Ack());
        t.ExpectState(TcpState.TimeWait);
    }
}
