namespace Teardown.Model.Rules;

/// <summary>How the kernel disposes of an orphaned FIN_WAIT2 socket.</summary>
public enum FinWait2Path
{
    /// <summary>Replaced at once by a timewait mini-socket (sub-state FIN_WAIT2) for the whole budget.</summary>
    Timewait,
    /// <summary>Stays a full socket on the keepalive timer for X − 60 s, then a timewait mini-socket.</summary>
    KeepaliveThenTimewait,
    /// <summary>TCP_LINGER2 &lt; 0: reset at close() (TCPAbortOnLinger).</summary>
    Reset,
}

/// <summary>The lifetime of an orphaned FIN_WAIT2 socket under unchanged settings.</summary>
/// <param name="Path">Which path the kernel takes.</param>
/// <param name="FinTime">X = tcp_fin_time: max(linger2 ≠ 0 ? linger2 : tcp_fin_timeout, 3.5·RTO).</param>
/// <param name="KeepaliveStage">Time on the keepalive timer (zero on the timewait path).</param>
/// <param name="TimewaitStage">Time as a timewait mini-socket.</param>
/// <param name="Total">Time from the orphaning to the socket being freed.</param>
/// <param name="RtoFloorApplied">True when the 3.5·RTO floor, not the configured value, decided X.</param>
public readonly record struct FinWait2Lifetime(
    FinWait2Path Path, TimeSpan FinTime, TimeSpan KeepaliveStage, TimeSpan TimewaitStage, TimeSpan Total, bool RtoFloorApplied)
{
    /// <summary>
    /// How much later than <see cref="Total"/> the socket may be freed: each stage's timer runs when the timer
    /// wheel reaches its bucket, up to a level's granularity after its deadline (<see cref="TimerWheel"/>;
    /// 2 s for a 60 s stage at HZ 250).
    /// </summary>
    public TimeSpan WheelSlack { get; init; }

    /// <summary>The latest the socket is freed: <see cref="Total"/> plus <see cref="WheelSlack"/>.</summary>
    public TimeSpan Latest => Total + WheelSlack;
}

/// <summary>
/// Linux's reap rules as pure functions of settings and the socket's RTO, for tools that explain a
/// live host (the doctor). They are the model's own timer rules (<see cref="TcpTimeouts"/>, which
/// Kernel/Host.Timers.cs, Host.Close.cs and Host.Teardown.cs apply), asked without a simulated socket
/// and answered in <see cref="TimeSpan"/>.
/// </summary>
public static class ReapRules
{
    /// <summary>TCP_TIMEWAIT_LEN (include/net/tcp.h): 60 s, also the keepalive/timewait split point.</summary>
    public static readonly TimeSpan TimewaitLength = TcpTimeouts.TimewaitLen.ToTimeSpan();

    /// <summary>TCP_RTO_MAX (include/net/tcp.h).</summary>
    public static readonly TimeSpan RtoMax = TimeSpan.FromMicroseconds(TcpTimeouts.RtoMaxUs);

    /// <summary>Why a CLOSE_WAIT socket is never reaped by time (net/ipv4/tcp_input.c:tcp_fin sets CLOSE_WAIT and arms no timer).</summary>
    public const string CloseWaitNeverReason =
        "CLOSE_WAIT has no timer: it lasts until the owning process calls close() or shutdown(SHUT_WR), the peer sends RST, " +
        "keepalive (only if enabled) finds the peer gone, or the process exits; tcp_fin_timeout never applies";

    /// <summary>Why a FIN_WAIT2 socket that still has a descriptor is never reaped (net/ipv4/tcp.c:__tcp_close arms the FIN_WAIT2 timer only for orphans).</summary>
    public const string AttachedFinWait2NeverReason =
        "a FIN_WAIT2 socket that still has a descriptor (shutdown(SHUT_WR) without close) has no FIN_WAIT2 timer: " +
        "tcp_fin_timeout and TCP_LINGER2 apply only after close(); it lasts until the peer sends its FIN or the process closes it";

    /// <summary>
    /// F(rto) = 4·rto − ⌊rto/2⌋ in jiffies, the "3.5 × RTO" floor (include/net/tcp.h:tcp_fin_time;
    /// net/ipv4/tcp_minisocks.c:tcp_time_wait).
    /// </summary>
    /// <param name="rto">The socket's current icsk_rto (tcpi_rto), including backoff.</param>
    /// <param name="hz">The kernel's CONFIG_HZ (250 on the reference machine).</param>
    public static TimeSpan RtoFloor(TimeSpan rto, int hz = 250) =>
        TcpTimeouts.RtoFloor(Us(rto), TcpTimeouts.JiffyUs(hz)).ToTimeSpan();

    /// <summary>
    /// tcp_fin_time (include/net/tcp.h): max(linger2 ≠ 0 ? linger2 : tcp_fin_timeout, F(rto)).
    /// Callers must treat linger2 &lt; 0 first (it means reset).
    /// </summary>
    public static TimeSpan FinTime(int linger2Seconds, int tcpFinTimeoutSeconds, TimeSpan rto, int hz = 250) =>
        TcpTimeouts.FinTime(linger2Seconds, tcpFinTimeoutSeconds, Us(rto), TcpTimeouts.JiffyUs(hz)).ToTimeSpan();

    /// <summary>
    /// The total lifetime of an orphaned FIN_WAIT2 with settings unchanged (spec §4.2), followed through
    /// the model's steps. If X ≤ 60 s the socket becomes a timewait mini-socket for X (net/ipv4/tcp.c:__tcp_close →
    /// tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)). If X &gt; 60 s the keepalive timer runs X − 60 s, then
    /// net/ipv4/tcp_timer.c:tcp_keepalive_timer converts it for max(X − 60 s, 3.5·RTO): 2X − 120 s in
    /// total, not X. linger2 &lt; 0 resets at close (TCPAbortOnLinger).
    /// </summary>
    public static FinWait2Lifetime OrphanFinWait2(int linger2Seconds, int tcpFinTimeoutSeconds, TimeSpan rto, int hz = 250)
    {
        if (linger2Seconds < 0)
        {
            return new FinWait2Lifetime(FinWait2Path.Reset, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, false);
        }

        long rtoUs = Us(rto);
        long jiffyUs = TcpTimeouts.JiffyUs(hz);
        SimDuration x = TcpTimeouts.FinTime(linger2Seconds, tcpFinTimeoutSeconds, rtoUs, jiffyUs);
        bool floorApplied = TcpTimeouts.RtoFloor(rtoUs, jiffyUs) > TcpTimeouts.ConfiguredFinTime(linger2Seconds, tcpFinTimeoutSeconds);

        // Entry into FIN_WAIT2 as an orphan: a keepalive-timer stage if X exceeds TCP_TIMEWAIT_LEN, else timewait for X.
        SimDuration keepalive = TcpTimeouts.BeyondTimewaitLen(x);
        if (keepalive == SimDuration.Zero)
        {
            SimDuration direct = TcpTimeouts.TimewaitTimeout(x, timeWaitSubstate: false, rtoUs, jiffyUs);
            return new FinWait2Lifetime(FinWait2Path.Timewait, x.ToTimeSpan(), TimeSpan.Zero, direct.ToTimeSpan(), direct.ToTimeSpan(), floorApplied)
            {
                WheelSlack = TimerWheel.MaxLateness(direct, hz).ToTimeSpan(),
            };
        }

        // The keepalive timer fires with the same X and RTO (nothing in flight): timewait for what X leaves beyond 60 s.
        SimDuration timewait = TcpTimeouts.TimewaitTimeout(TcpTimeouts.BeyondTimewaitLen(x), timeWaitSubstate: false, rtoUs, jiffyUs);
        return new FinWait2Lifetime(FinWait2Path.KeepaliveThenTimewait, x.ToTimeSpan(), keepalive.ToTimeSpan(), timewait.ToTimeSpan(),
            (keepalive + timewait).ToTimeSpan(), floorApplied)
        {
            WheelSlack = (TimerWheel.MaxLateness(keepalive, hz) + TimerWheel.MaxLateness(timewait, hz)).ToTimeSpan(),
        };
    }

    /// <summary>
    /// The timewait stage an orphaned FIN_WAIT2 still on its keepalive timer will get after that timer
    /// fires: max(X − 60 s, 3.5·RTO) (net/ipv4/tcp_timer.c:tcp_keepalive_timer), or zero when X ≤ 60 s
    /// (then the timer sends a reset instead).
    /// </summary>
    public static TimeSpan TimewaitAfterKeepalive(int linger2Seconds, int tcpFinTimeoutSeconds, TimeSpan rto, int hz = 250)
    {
        var life = OrphanFinWait2(linger2Seconds, tcpFinTimeoutSeconds, rto, hz);
        return life.Path == FinWait2Path.KeepaliveThenTimewait ? life.TimewaitStage : TimeSpan.Zero;
    }

    /// <summary>
    /// tcp_timer.c:tcp_write_timeout: an orphan is "alive" while its RTO (tcpi_rto, backoff included) is
    /// below TCP_RTO_MAX.
    /// </summary>
    public static bool OrphanAlive(TimeSpan rto) => TcpTimeouts.OrphanAlive(Us(rto));

    /// <summary>
    /// The retransmission boundary of an orphan (net/ipv4/tcp_timer.c:tcp_orphan_retries): the sysctl,
    /// where 0 means 8 while the socket is alive; a dead orphan (RTO at TCP_RTO_MAX) gets 0 when an ICMP
    /// soft error was recorded (sk_err_soft, which sock_diag does not show), else the sysctl as it is.
    /// </summary>
    public static int OrphanRetries(int tcpOrphanRetries, bool alive = true, bool softError = false) =>
        TcpTimeouts.OrphanRetries(tcpOrphanRetries, alive, softError);

    /// <summary>
    /// Time from the first RTO retransmission until give-up with <paramref name="boundary"/> retries
    /// (net/ipv4/tcp_timer.c:tcp_model_timeout with TCP_RTO_MIN 200 ms, thresh 9): (2^(N+1) − 1)·200 ms
    /// up to N = 9, then 204.6 s + (N − 9)·120 s. Boundary 8 (orphans by default) gives 102.2 s.
    /// </summary>
    public static TimeSpan RetransmitGiveUp(int boundary)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(boundary);
        return TimeSpan.FromMicroseconds(TcpTimeouts.ModelTimeoutUs(boundary, TcpTimeouts.RtoMinUs));
    }

    private static long Us(TimeSpan span) => SimDuration.FromTimeSpan(span).Microseconds;
}
