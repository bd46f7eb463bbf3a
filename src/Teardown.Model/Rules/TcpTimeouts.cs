namespace Teardown.Model.Rules;

/// <summary>
/// Linux's TCP timer constants and the formulas built on them, stated once. The model's timers
/// (Kernel/Host.Timers.cs, Host.Close.cs, Host.Input.cs, Host.Teardown.cs) apply them to simulated
/// sockets; <see cref="ReapRules"/> applies the same functions to the settings and RTO of a live
/// host's sockets, so the doctor's predictions cannot drift from what the model simulates.
/// </summary>
public static class TcpTimeouts
{
    /// <summary>TCP_RTO_MIN = HZ/5 (include/net/tcp.h): 200 ms.</summary>
    public const long RtoMinUs = 200_000;

    /// <summary>TCP_RTO_MAX = 120·HZ (include/net/tcp.h): 120 s.</summary>
    public const long RtoMaxUs = 120_000_000;

    /// <summary>TCP_TIMEOUT_INIT (include/net/tcp.h): 1 s, the RTO before any RTT sample.</summary>
    public const long TimeoutInitUs = 1_000_000;

    /// <summary>TCP_TIMEWAIT_LEN (include/net/tcp.h): 60 s, TIME_WAIT's length and the orphan FIN_WAIT2 split point.</summary>
    public static readonly SimDuration TimewaitLen = SimDuration.FromSeconds(60);

    /// <summary>tcp_timer.c:tcp_orphan_retries: what tcp_orphan_retries = 0 means while the orphan is alive ("&gt;100 s at TCP_RTO_MIN").</summary>
    public const int OrphanRetriesWhileAlive = 8;

    /// <summary>Length of one jiffy in microseconds at CONFIG_HZ <paramref name="hz"/>.</summary>
    public static long JiffyUs(int hz)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hz);
        return 1_000_000L / hz;
    }

    /// <summary>
    /// F(rto) = 4·rto − ⌊rto/2⌋ in jiffies, the "3.5 × RTO" floor (include/net/tcp.h:tcp_fin_time;
    /// net/ipv4/tcp_minisocks.c:tcp_time_wait). <paramref name="rtoUs"/> is icsk_rto with its backoff.
    /// </summary>
    public static SimDuration RtoFloor(long rtoUs, long jiffyUs)
    {
        long rtoJ = rtoUs / jiffyUs;
        return new SimDuration(((rtoJ << 2) - (rtoJ >> 1)) * jiffyUs);
    }

    /// <summary>
    /// tcp_fin_time (include/net/tcp.h): max(linger2 ≠ 0 ? linger2 : tcp_fin_timeout, F(rto)).
    /// Callers treat linger2 &lt; 0 (reset) first.
    /// </summary>
    public static SimDuration FinTime(int linger2Seconds, int tcpFinTimeoutSeconds, long rtoUs, long jiffyUs) =>
        SimDuration.Max(ConfiguredFinTime(linger2Seconds, tcpFinTimeoutSeconds), RtoFloor(rtoUs, jiffyUs));

    /// <summary>The configured part of tcp_fin_time: TCP_LINGER2 if set, else tcp_fin_timeout.</summary>
    public static SimDuration ConfiguredFinTime(int linger2Seconds, int tcpFinTimeoutSeconds) =>
        SimDuration.FromSeconds(linger2Seconds != 0 ? linger2Seconds : tcpFinTimeoutSeconds);

    /// <summary>
    /// What tcp_fin_time leaves beyond TCP_TIMEWAIT_LEN, or zero. At the orphan's entry into FIN_WAIT2
    /// (tcp.c:__tcp_close; tcp_input.c:tcp_rcv_state_process) a positive value is the keepalive-timer
    /// stage, zero means a timewait mini-socket for tcp_fin_time at once; when that keepalive timer fires
    /// (tcp_timer.c:tcp_keepalive_timer) a positive value is the timewait stage, zero means a reset.
    /// </summary>
    public static SimDuration BeyondTimewaitLen(SimDuration finTime) =>
        finTime > TimewaitLen ? finTime - TimewaitLen : SimDuration.Zero;

    /// <summary>
    /// tcp_minisocks.c:tcp_time_wait: the timewait socket's timeout. Exactly TCP_TIMEWAIT_LEN in TIME_WAIT;
    /// in substate FIN_WAIT2 the requested time, but at least F(rto).
    /// </summary>
    public static SimDuration TimewaitTimeout(SimDuration requested, bool timeWaitSubstate, long rtoUs, long jiffyUs) =>
        timeWaitSubstate ? TimewaitLen : SimDuration.Max(requested, RtoFloor(rtoUs, jiffyUs));

    /// <summary>tcp_timer.c:tcp_write_timeout: an orphan counts as alive while its RTO is below TCP_RTO_MAX.</summary>
    public static bool OrphanAlive(long rtoUs) => rtoUs < RtoMaxUs;

    /// <summary>
    /// tcp_timer.c:tcp_orphan_retries: the sysctl, except that a dead orphan (RTO at TCP_RTO_MAX) with an
    /// ICMP soft error recorded gets 0, and 0 means <see cref="OrphanRetriesWhileAlive"/> while alive.
    /// </summary>
    public static int OrphanRetries(int tcpOrphanRetries, bool alive, bool softError)
    {
        int retries = tcpOrphanRetries;
        if (softError && !alive) retries = 0;
        if (retries == 0 && alive) retries = OrphanRetriesWhileAlive;
        return retries;
    }

    /// <summary>
    /// tcp_timer.c:tcp_model_timeout: the time <paramref name="boundary"/> backed-off RTOs from
    /// <paramref name="rtoBaseUs"/> take, (2^(N+1) − 1)·base up to the threshold where the RTO reaches
    /// TCP_RTO_MAX, then TCP_RTO_MAX per further retransmission.
    /// </summary>
    public static long ModelTimeoutUs(int boundary, long rtoBaseUs)
    {
        int thresh = (int)Math.Floor(Math.Log2((double)RtoMaxUs / rtoBaseUs));
        return boundary <= thresh
            ? ((2L << boundary) - 1) * rtoBaseUs
            : (((2L << thresh) - 1) * rtoBaseUs) + ((boundary - thresh) * RtoMaxUs);
    }
}
