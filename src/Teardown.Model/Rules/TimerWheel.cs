namespace Teardown.Model.Rules;

/// <summary>
/// How late Linux may run a timer. The model fires every timer at its exact deadline; the kernel keeps
/// timers in a hierarchical wheel (kernel/time/timer.c) where a timer due in Δ jiffies lands in level L,
/// the smallest with Δ &lt; LVL_START(L+1) = 63·8^L, and calc_index rounds its expiry up to the next
/// multiple of that level's granularity, 8^L jiffies. The delay itself was rounded up to whole jiffies
/// (msecs_to_jiffies). A timer therefore fires up to one granularity plus one jiffy after its deadline:
/// 8 ms below 252 ms, 36 ms below 2 s, 260 ms below 16 s, 2.05 s below 129 s at HZ=250.
/// </summary>
public static class TimerWheel
{
    private const int ClockShift = 3;   // LVL_CLK_SHIFT: each level is 8 times coarser
    private const long LevelSize = 64;  // LVL_SIZE: buckets per level
    private const int Depth = 9;        // LVL_DEPTH for HZ > 100

    /// <summary>The most a timer armed <paramref name="delay"/> ahead may fire after its deadline.</summary>
    public static SimDuration MaxLateness(SimDuration delay, int hz)
    {
        if (hz <= 0) throw new ArgumentOutOfRangeException(nameof(hz), hz, "HZ must be positive");
        long jiffyUs = 1_000_000 / hz;
        long jiffies = delay.Microseconds <= 0 ? 0 : (delay.Microseconds + jiffyUs - 1) / jiffyUs;
        int level = 0;
        while (level < Depth - 1 && jiffies >= (LevelSize - 1) << (ClockShift * level)) level++;
        long granularity = 1L << (ClockShift * level);
        return new SimDuration((granularity + 1) * jiffyUs);
    }
}
