using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>
/// RTO, backoff, TLP, FIN retransmission and the give-up model (spec §1.4, §4.4, §4.7;
/// tcp_timer.c:tcp_retransmit_timer, tcp_write_timeout, tcp_model_timeout, tcp_orphan_retries).
/// </summary>
public sealed class RetransmissionTests
{
    /// <summary>Times (s since <paramref name="from"/>) at which Local sent a segment matching <paramref name="match"/>.</summary>
    private static List<double> SentTimes(TcpScript t, SimTime from, Func<Segment, bool> match) =>
        t.Trace.Segments.Where(w => ReferenceEquals(w.From, t.Local) && w.At >= from && match(w.Segment))
            .Select(w => (w.At - from).Seconds).ToList();

    [Fact]
    public void InitialRto_IsOneSecond_BeforeAnyRttSample()
    {
        var t = Fixtures.SynSent();
        Assert.Equal(1_000_000, t.Sock.RtoUs);
        t.ExpectTimer(TimerKind.Retransmit, 1.0);
    }

    [Fact]
    public void Rto_AfterAFastHandshake_Is204ms_AtHz250()
    {
        // srtt ≈ 1 ms, rttvar floored at TCP_RTO_MIN: 201 ms rounded up to whole 4 ms jiffies ([E6.18] rto:204)
        var t = Fixtures.Established();
        Assert.Equal(204_000, t.Sock.RtoUs);
    }

    [Fact]
    public void OrphanFinWait1_DefaultOrphanRetries_TlpThen8Rtos_DiesSilentlyNear102sModel()
    {
        // §4.4 [E6.18]: TLP, then 8 RTO retransmissions, destroyed at about 106 s with no RST;
        // TCPTimeouts 9, TCPAbortOnTimeout 1. "0 means 8" (tcp_orphan_retries), 102.2 s from the first RTO.
        var t = Fixtures.FinWait1();
        SimTime closedAt = t.Now;

        t.RunSeconds(200);

        var fins = SentTimes(t, closedAt, s => s.Fin);
        // the original FIN, the TLP, then 8 RTO retransmissions
        Assert.Equal(1 + 1 + 8, fins.Count);
        Assert.DoesNotContain(t.TakeSent(), s => s.Rst);
        t.ExpectGone();
        Assert.Equal(9, t.Delta(Mib.TCPTimeouts));
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnTimeout));
        Assert.Equal(1, t.Delta(Mib.TCPLossProbes));
        Assert.InRange(DeathTime(t, closedAt), 102.2 + fins[2], 110.0);
    }

    [Fact]
    public void RtoRetransmissions_DoubleTheIntervalEachTime()
    {
        var t = Fixtures.FinWait1();
        SimTime closedAt = t.Now;
        t.RunSeconds(60);

        var fins = SentTimes(t, closedAt, s => s.Fin);
        // fins[0] is the FIN, fins[1] the TLP; the RTO retransmissions follow at doubling intervals (icsk_rto = min(2·rto, 120 s))
        var gaps = fins.Zip(fins.Skip(1), (a, b) => b - a).Skip(1).ToList();
        Assert.True(gaps.Count >= 5);
        // Each gap is the RTO plus how late the wheel ran its timer (0 to a level's granularity, TimerWheel), so
        // twice the last gap, give or take twice the last lateness and this one's.
        for (int i = 1; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i], (gaps[i - 1] * 2) - (2 * TcpScript.WheelSlack(gaps[i - 1])), (gaps[i - 1] * 2) + TcpScript.WheelSlack(gaps[i - 1] * 2));
        }
    }

    [Fact]
    public void OrphanLastAck_OrphanRetries3_Gives4Rtos_AndDiesSilentlyAround6Point5s()
    {
        // §4.4 [E6.18]: 4 RTO retransmissions, gone at about 6.5 s, silent, TCPAbortOnTimeout
        var t = Fixtures.LastAck(options: s => s.Local.Settings.TcpOrphanRetries = 3);
        SimTime closedAt = t.Now;

        t.RunSeconds(20);

        var fins = SentTimes(t, closedAt, s => s.Fin);
        Assert.Equal(1 + 1 + 4, fins.Count);
        t.ExpectGone();
        Assert.DoesNotContain(t.TakeSent(), s => s.Rst);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnTimeout));
        Assert.InRange(DeathTime(t, closedAt), 6.0, 7.0);
    }

    [Fact]
    public void Attached_Retries2Of3_EtimedoutAbout6Point6s_Silently()
    {
        var t = Fixtures.Established(local: k => k.TcpRetries2 = 3);
        SimTime start = t.Now;
        t.Send(10);

        t.RunSeconds(5.9);
        t.ExpectState(TcpState.Established);
        t.RunSeconds(10);

        t.ExpectState(TcpState.Close);
        Assert.InRange(DeathTime(t, start), 6.0, 7.0);
        Assert.DoesNotContain(t.TakeSent(), s => s.Rst);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnTimeout));
        Assert.Equal(Errno.ETIMEDOUT, t.SoError());
    }

    [Fact]
    public void Attached_DefaultRetries2_LivesPast900s_DiesBy1000s()
    {
        // tcp_retries2 = 15 → 924.6 s from the first RTO retransmission, checked at the next RTO firing
        var t = Fixtures.Established();
        t.Send(10);
        t.RunSeconds(900).ExpectState(TcpState.Established);
        t.RunSeconds(300).ExpectState(TcpState.Close);
        Assert.InRange(DeathTime(t, SimTime.Zero), 925.0, 1100.0);
    }

    [Fact]
    public void UserTimeout1000ms_EtimedoutAbout1Point4s()
    {
        // §4.7 [E6.18]: data at 0, TLP 0.20, RTO 0.41 and 0.83, ETIMEDOUT at about 1.41 s, TCPAbortOnTimeout
        var t = Fixtures.Established();
        t.Local.SetUserTimeout(t.Fd, 1000);
        SimTime start = t.Now;
        t.Send(10);

        t.RunSeconds(3);

        var data = SentTimes(t, start, s => s.Length > 0);
        Assert.Equal(4, data.Count);
        Assert.InRange(DeathTime(t, start), 1.38, 1.45);
        Assert.Equal(Errno.ETIMEDOUT, t.Recv().Errno);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnTimeout));
    }

    [Fact]
    public void UserTimeout_AppliesToOrphansToo()
    {
        var t = Fixtures.FinWait1(options: s => s.Local.SetUserTimeout(s.Fd, 1000));
        SimTime closedAt = t.Now;
        t.RunSeconds(3);
        t.ExpectGone();
        Assert.InRange(DeathTime(t, closedAt), 1.38, 1.45);
    }

    [Fact]
    public void UserTimeout_DoesNotShortenFinWait2OrTimeWait()
    {
        var t = Fixtures.FinWait1(options: s => s.Local.SetUserTimeout(s.Fd, 1000));
        t.Inject(t.Ack());
        t.ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void Tlp_DoesNotStartTheGiveUpClock()
    {
        // [E6.18]: the give-up time is counted from the first RTO retransmission, not from the TLP
        var t = Fixtures.Established();
        t.Send(10);
        t.Run(250);
        Assert.Equal(SimTime.Never, t.Sock.RetransStamp);
        Assert.Equal(1, t.Delta(Mib.TCPLossProbes));
        t.Run(250);
        Assert.NotEqual(SimTime.Never, t.Sock.RetransStamp);
    }

    /// <summary>When the end under test stopped being listed (seconds since <paramref name="from"/>).</summary>
    private static double DeathTime(TcpScript t, SimTime from)
    {
        string needle = $"local {t.Tuple} ";
        var line = t.Trace.Lines.Last(l => l.Contains(needle, StringComparison.Ordinal) && (l.Contains("->GONE", StringComparison.Ordinal) || l.Contains("->CLOSE ", StringComparison.Ordinal)));
        double at = double.Parse(line[..line.IndexOf('s', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        return at - from.Seconds;
    }
}
