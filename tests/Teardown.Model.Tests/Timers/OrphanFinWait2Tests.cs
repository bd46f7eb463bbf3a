using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>
/// The orphan FIN_WAIT2 timer: TCP_LINGER2 and tcp_fin_timeout, the two-stage 2X − 120 s path, the 3.5·RTO floor
/// (spec §1.4 tcp_fin_time, §2.5, §4.2; tcp.c:__tcp_close; tcp_timer.c:tcp_keepalive_timer; tcp_minisocks.c:tcp_time_wait).
/// </summary>
public sealed class OrphanFinWait2Tests
{
    /// <summary>Entry A: close() on an attached FIN_WAIT2 socket.</summary>
    private static TcpScript CloseInFinWait2(int linger2, Action<KernelSettings>? local = null)
    {
        var t = Fixtures.FinWait2Attached(local);
        t.Local.SetLinger2(t.Fd, linger2);
        t.Close();
        return t;
    }

    [Fact]
    public void Linger2Negative_CloseInFinWait2_SendsActiveRst_CountsAbortOnLinger()
    {
        // §2.1 step 8 [E6.18]: `[R.]`, TCPAbortOnLinger
        var t = Fixtures.FinWait2Attached();
        t.Local.SetLinger2(t.Fd, -1);

        t.Close();

        t.ExpectSent("R.", seq: t.SndNxt, ack: t.RcvNxt);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnLinger));
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnData));
        t.ExpectGone();
    }

    [Fact]
    public void Default_CloseInFinWait2_BecomesTimewaitFinWait2For60s()
    {
        var t = CloseInFinWait2(0);
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 60.0);
        Assert.Equal(1, t.Delta(Mib.TW));
    }

    [Theory]
    [InlineData(3, 3.0)]
    [InlineData(60, 60.0)]
    [InlineData(65, 10.0)]
    [InlineData(90, 60.0)]
    [InlineData(120, 120.0)]
    [InlineData(500, 120.0)] // clamped to TCP_FIN_TIMEOUT_MAX
    public void Linger2_OrphanFinWait2Lifetime_IsXUpTo60s_Else2XMinus120(int linger2, double total)
    {
        // §4.2 table: the total is X if X ≤ 60 s, else (X − 60) + max(X − 60, 3.5·RTO) = 2X − 120 s
        var t = CloseInFinWait2(linger2);
        // (each stage's timer runs at its wheel bucket, never before its deadline)
        t.RunSeconds(total - 0.01).ExpectState(TcpState.FinWait2);
        t.RunSeconds(0.01 + (2 * TcpScript.WheelSlack(total))).ExpectGone();
        t.ExpectNothingSent();
    }

    [Fact]
    public void Linger2Of65_ShowsKeepalive5s_ThenTimewait5s()
    {
        // [E6.18]: `timer:(keepalive,4.500ms,0)` then `timer:(timewait,4.192ms,0)`, gone at about 10 s
        var t = CloseInFinWait2(65);
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Keepalive, 5.0);
        Assert.Null(t.Timewait);

        t.RunSeconds(5 + TcpScript.WheelSlack(5));

        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 5.0, tolerance: TcpScript.WheelSlack(5));
        Assert.NotNull(t.Timewait);
    }

    [Fact]
    public void Linger2Of3_CountsTwKilled()
    {
        // inet_timewait_sock.c:__inet_twsk_schedule: a first timeout ≤ 4 s counts TWKilled
        var t = CloseInFinWait2(3);
        Assert.Equal(1, t.Delta(Mib.TWKilled));
        Assert.Equal(0, t.Delta(Mib.TW));
    }

    [Fact]
    public void Linger2Zero_UsesTcpFinTimeout()
    {
        var t = CloseInFinWait2(0, local: k => k.TcpFinTimeout = 30);
        t.ExpectTimer(TimerKind.Timewait, 30.0);
    }

    [Fact]
    public void TcpFinTimeout300_Lives480s()
    {
        // §4.2 table, last row: 240 s + 240 s
        var t = CloseInFinWait2(0, local: k => k.TcpFinTimeout = 300);
        t.ExpectTimer(TimerKind.Keepalive, 240.0);
        t.RunSeconds(479.99).ExpectState(TcpState.FinWait2);
        t.RunSeconds(0.01 + (2 * TcpScript.WheelSlack(240))).ExpectGone();
    }

    [Fact]
    public void KeepaliveStageExpiry_WithNothingLeftAfterTheSysctlWasLowered_SendsActiveRst_CountsNothing()
    {
        // §4.2 expiry of the keepalive timer: X′ − 60 s ≤ 0 → active RST and tcp_done, no MIB counter (§6.1.12)
        var t = CloseInFinWait2(0, local: k => k.TcpFinTimeout = 65);
        t.ExpectTimer(TimerKind.Keepalive, 5.0);
        t.Local.Settings.TcpFinTimeout = 30;

        t.RunSeconds(5 + TcpScript.WheelSlack(5));

        t.ExpectSent("R.", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectGone();
        foreach (var m in new[] { Mib.TCPAbortOnTimeout, Mib.TCPAbortOnData, Mib.TCPAbortOnLinger, Mib.TCPAbortOnMemory, Mib.TW, Mib.TWKilled })
        {
            Assert.Equal(0, t.Delta(m));
        }
    }

    [Fact]
    public void Linger2_HasNoEffectOnAnAttachedFinWait2()
    {
        var t = Fixtures.FinWait2Attached();
        t.Local.SetLinger2(t.Fd, 3);
        t.RunSeconds(100);
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.None);
    }

    [Fact]
    public void FinWait2Timewait_IsFlooredAt3Point5TimesTheBackedOffRto()
    {
        // §1.4: F(rto) = 4·rto − rto/2 on the current, backed-off icsk_rto. The FIN was retransmitted by RTO four
        // times (rto 204 ms → 3.264 s = 816 jiffies); the peer's ACK echoes no timestamp (TSecr 0) and acknowledges
        // a retransmitted segment, so it gives no RTT sample (Karn; tcp_input.c:tcp_ack_update_rtt) and the RTO
        // stays backed off. F = 4·816 − 408 = 2856 jiffies = 11.424 s > TCP_LINGER2 = 1 s.
        var t = Fixtures.FinWait1(options: s => s.Local.SetLinger2(s.Fd, 1));
        t.RunSeconds(3.6);
        Assert.Equal(3_264_000, t.Sock.RtoUs);

        t.Inject(t.Ack());

        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 11.424);
        Assert.Equal(1, t.Delta(Mib.TW));
    }

    [Fact]
    public void TimeWait_IsExactly60s_EvenWithARtoBackedOffFarBeyondIt()
    {
        // §1.4: for TIME_WAIT, timeo = 60 s whatever the RTO (F(26.112 s) = 91.392 s is ignored)
        var t = Fixtures.FinWait1();
        t.RunSeconds(27);
        t.Inject(t.Fin());
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
    }
}
