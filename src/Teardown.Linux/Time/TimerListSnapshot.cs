using System.Globalization;

namespace Teardown.Linux.Time;

/// <summary>
/// What one read of <c>/proc/timer_list</c> says about the kernel's tick: the CLOCK_MONOTONIC instant it was
/// printed at, the jiffies counter, and the last tick of a CPU (every tick falls on one grid of the monotonic
/// clock, kernel/time/tick-common.c:tick_next_period, so it gives the grid's phase).
/// </summary>
/// <param name="NowNs">"now at N nsecs" (kernel/time/timer_list.c:timer_list_header, ktime_get).</param>
/// <param name="Jiffies">The first CPU block's "jiffies: N" (timer_list.c:print_cpu prints jiffies_64 there).</param>
/// <param name="LastTickNs">The first ".last_tick : N nsecs" (tick_sched's last tick), or null if absent.</param>
public readonly record struct TimerListSnapshot(long NowNs, long Jiffies, long? LastTickNs)
{
    /// <summary>Parses the file's text; null when the fields it needs are missing (a kernel without them).</summary>
    public static TimerListSnapshot? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long? now = null, jiffies = null, lastTick = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (now is null && line.StartsWith("now at ", StringComparison.Ordinal))
            {
                now = Number(line["now at ".Length..].Split(' ')[0]);
            }
            else if (jiffies is null && line.StartsWith("jiffies:", StringComparison.Ordinal))
            {
                jiffies = Number(line["jiffies:".Length..].Trim());
            }
            else if (lastTick is null && line.StartsWith(".last_tick", StringComparison.Ordinal))
            {
                string value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                lastTick = Number(value.Split(' ')[0]);
            }

            if (now is not null && jiffies is not null && lastTick is not null) break;
        }

        return now is { } n && jiffies is { } j ? new TimerListSnapshot(n, j, lastTick) : null;
    }

    private static long? Number(string s) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v :
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u) ? unchecked((long)u) : null;
}
