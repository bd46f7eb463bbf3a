using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>
/// The timewait socket in substate FIN_WAIT2: every row of spec §3.2 "FIN_WAIT2 as a timewait socket"
/// (tcp_minisocks.c:tcp_timewait_state_process). The fixture is an orphan whose FIN was ACKed with X = 60 s.
/// </summary>
public sealed class FinWait2TimewaitTests
{
    [Fact]
    public void FinWait2Timewait_OutOfWindowSegment_GetsAck_TimerNotRestarted()
    {
        var t = Fixtures.FinWait2Orphan();
        t.RunSeconds(10);

        t.Inject(t.Data(10, seq: 10_000_000));

        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 50.0);
    }

    [Fact]
    public void FinWait2Timewait_SecondOutOfWindowAckWithin500ms_IsSuppressed()
    {
        var t = Fixtures.FinWait2Orphan();
        t.Inject(t.Ack(seq: 10_000_000)).Run(100).Inject(t.Ack(seq: 10_000_000));
        t.ExpectSent(".");
        Assert.Equal(1, t.Delta(Mib.TCPACKSkippedFinWait2));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 0)]
    [InlineData(100, 1)]
    public void FinWait2Timewait_RstAnywhereInWindow_KillsItSilently_WhateverRfc1337Says(int seq, int rfc1337)
    {
        var t = Fixtures.FinWait2Orphan(local: k => k.TcpRfc1337 = rfc1337);
        t.Inject(t.Rst(seq));
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Timewait_SynAtOrAfterRcvNxt_ReplyRstAckSeqZero_AndKilled()
    {
        var t = Fixtures.FinWait2Orphan();
        var syn = t.Syn(seq: 10);

        t.Inject(syn);

        // the SYN has no ACK, so the reply is RST+ACK with seq 0, ack = seq + 1 (§0.6)
        t.ExpectSent("R.", seq: 0, ack: Seq.Add(syn.Seq, 1), window: 0);
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Timewait_PureAck_IsIgnored_TimerNotRestarted()
    {
        var t = Fixtures.FinWait2Orphan();
        t.RunSeconds(10);
        t.Inject(t.Ack());
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 50.0);
    }

    [Fact]
    public void FinWait2Timewait_FinWithoutAck_IsIgnored()
    {
        var t = Fixtures.FinWait2Orphan();
        t.Inject(t.Seg("F"));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void FinWait2Timewait_NewData_ReplyRst_AndKilled()
    {
        var t = Fixtures.FinWait2Orphan();
        var seg = t.Data(10);
        t.Inject(seg);
        t.ExpectSent("R", seq: seg.Ack, window: 0);
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Timewait_FinWithData_ReplyRst_AndKilled()
    {
        var t = Fixtures.FinWait2Orphan();
        var seg = t.Seg("FP.", len: 5);
        t.Inject(seg);
        t.ExpectSent("R", seq: seg.Ack);
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Timewait_FinNotExactlyAtRcvNxt_ReplyRst_AndKilled()
    {
        var t = Fixtures.FinWait2Orphan();
        var seg = t.Fin(seq: 3);
        t.Inject(seg);
        t.ExpectSent("R", seq: seg.Ack);
        t.ExpectGone();
    }

    [Fact]
    public void FinWait2Timewait_BareFinAtRcvNxt_Acks_EntersTimeWaitFor60s_WithoutCountingTwAgain()
    {
        var t = Fixtures.FinWait2Orphan();
        uint rcvNxt = t.RcvNxt;
        t.RunSeconds(20);

        t.Inject(t.Fin());

        t.ExpectSent(".", seq: t.SndNxt, ack: Seq.Add(rcvNxt, 1));
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
        // §6.1.19: the substate change is not counted again
        Assert.Equal(0, t.Delta(Mib.TW) + t.Delta(Mib.TWKilled));
    }

    [Fact]
    public void FinWait2Timewait_Expiry_FreesItSilently_ThenANoSocketReplyRst()
    {
        var t = Fixtures.FinWait2Orphan();

        t.RunSeconds(60 + TcpScript.WheelSlack(60));

        t.ExpectNothingSent();
        t.ExpectGone();
        var ack = t.Ack();
        t.Inject(ack);
        t.ExpectSent("R", seq: ack.Ack, window: 0);
    }

    [Fact]
    public void FinWait2Timewait_ShowsZeroQueues_AndIsAnOrphan()
    {
        // §5.1: timewait sockets show Recv-Q 0, Send-Q 0
        var t = Fixtures.FinWait2Orphan();
        Assert.Equal((0L, 0L, true), (t.View.RecvQ, t.View.SendQ, t.View.Orphan));
    }
}
