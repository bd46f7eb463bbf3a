namespace Teardown.Model.Rules;

/// <summary>
/// Linux's timer wheel (kernel/time/timer.c), which runs every TCP timer: retransmission, delayed ACK,
/// keepalive and orphan FIN_WAIT2, TIME_WAIT, a request's SYN-ACK timer, a lingering close()'s sleep.
/// <list type="bullet">
/// <item>A timer is armed for <c>expires</c> = jiffies + its delay in whole jiffies (msecs_to_jiffies rounds
/// up). calc_wheel_index puts it in level L, the smallest with Δ = expires − clk &lt; LVL_START(L+1) = 63·8^L,
/// and calc_index gives it the bucket whose expiry is the first multiple of that level's granularity 8^L
/// <em>after</em> <c>expires</c>: one jiffy late at level 0, up to 8^L jiffies late above. At HZ=250 a SYN
/// retried with a 1 s RTO from a bucket boundary comes back every 1.024 s; TIME_WAIT's 60 s lasts 60.004–62.048 s.</item>
/// <item>A bucket runs at the tick that brings jiffies to its expiry: its timers all at that instant, those of
/// higher levels first (__run_timers → expire_timers, levels taken from the top), and within one bucket the
/// last queued first (enqueue_timer adds at the list's head; expire_timers takes from it).</item>
/// </list>
/// The model's jiffies are aligned to its clock: ticks fall half a millisecond after each multiple of the jiffy
/// (<see cref="TickPhaseUs"/>), away from the whole milliseconds where scenario lines happen, and jiffy 0 — the
/// one holding the instant zero — is a multiple of every level's granularity. The kernel lab starts its
/// timelines at that phase of the kernel's own jiffies (Teardown.Lab's JiffyClock).
/// </summary>
public static class TimerWheel
{
    private const int ClockShift = 3;   // LVL_CLK_SHIFT: each level is 8 times coarser
    private const long LevelSize = 64;  // LVL_SIZE: buckets per level
    private const int Depth = 9;        // LVL_DEPTH for HZ > 100

    /// <summary>The first tick after the instant zero comes this long after it (microseconds).</summary>
    public const long TickPhaseUs = 500;

    /// <summary>The most a timer armed <paramref name="delay"/> ahead may fire after its deadline on a kernel whose
    /// jiffies are not aligned with the model's: one granularity of its level plus one jiffy.</summary>
    public static SimDuration MaxLateness(SimDuration delay, int hz)
    {
        long jiffyUs = JiffyUs(hz);
        int level = Level(DelayJiffies(delay, hz));
        long granularity = 1L << (ClockShift * level);
        return new SimDuration((granularity + 1) * jiffyUs);
    }

    /// <summary>The jiffy holding instant <paramref name="t"/>: jiffy 0 spans [−(jiffy − phase), phase).</summary>
    public static long JiffyAt(SimTime t, int hz)
    {
        long jiffyUs = JiffyUs(hz);
        return Math.DivRem(t.Microseconds + jiffyUs - TickPhaseUs, jiffyUs) is var (q, r) && r < 0 ? q - 1 : q;
    }

    /// <summary>The instant of the tick that starts jiffy <paramref name="jiffy"/>.</summary>
    public static SimTime TickAt(long jiffy, int hz) => new((jiffy * JiffyUs(hz)) - (JiffyUs(hz) - TickPhaseUs));

    /// <summary>A delay in whole jiffies, rounded up (msecs_to_jiffies, usecs_to_jiffies).</summary>
    public static long DelayJiffies(SimDuration delay, int hz)
    {
        long jiffyUs = JiffyUs(hz);
        return delay.Microseconds <= 0 ? 0 : (delay.Microseconds + jiffyUs - 1) / jiffyUs;
    }

    /// <summary>The level a timer due <paramref name="delta"/> jiffies ahead is queued in (calc_wheel_index).</summary>
    public static int Level(long delta)
    {
        int level = 0;
        while (level < Depth - 1 && delta >= LevelStart(level + 1)) level++;
        return level;
    }

    /// <summary>
    /// The jiffy at which a timer for <paramref name="expires"/>, armed when the wheel's clock was at
    /// <paramref name="clk"/>, runs: the first multiple of its level's granularity after <c>expires</c>
    /// (timer.c:calc_index). A deadline already past goes in the bucket run at the next tick.
    /// </summary>
    public static (long BucketExpiry, int Level) Bucket(long expires, long clk)
    {
        long delta = expires - clk;
        if (delta < 0) return (clk + 1, 0);
        int level = Level(delta);
        if (level == Depth - 1 && delta >= LevelStart(Depth)) expires = clk + LevelStart(Depth) - 1;   // WHEEL_TIMEOUT_CUTOFF
        int shift = ClockShift * level;
        return (((expires >> shift) + 1) << shift, level);
    }

    private static long LevelStart(int level) => (LevelSize - 1) << (ClockShift * (level - 1));

    private static long JiffyUs(int hz) =>
        hz > 0 ? 1_000_000L / hz : throw new ArgumentOutOfRangeException(nameof(hz), hz, "HZ must be positive");
}
