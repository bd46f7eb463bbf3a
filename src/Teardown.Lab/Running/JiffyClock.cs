using Teardown.Linux.Time;
using Teardown.Model.Rules;

namespace Teardown.Lab.Running;

/// <summary>
/// The kernel's jiffies as a function of CLOCK_MONOTONIC: jiffies = ⌊(t − phase) / period⌋ + offset, every tick on
/// one grid (kernel/time/tick-common.c). The model runs its timers on a timer wheel whose jiffy 0 is a multiple of
/// every level's granularity and whose ticks fall <see cref="TimerWheel.TickPhaseUs"/> after each jiffy multiple of
/// its clock (<see cref="TimerWheel"/>); a timeline that starts at that same phase of the kernel's jiffies sees the
/// kernel run its timers at the model's instants, not up to a granularity apart.
/// </summary>
public sealed class JiffyClock
{
    private const string TimerList = "/proc/timer_list";
    private static readonly Lazy<JiffyClock?> s_measured = new(Measure, LazyThreadSafetyMode.ExecutionAndPublication);

    private JiffyClock(int hz, long periodNs, long phaseNs, long offset)
    {
        Hz = hz;
        PeriodNs = periodNs;
        PhaseNs = phaseNs;
        Offset = offset;
    }

    /// <summary>CONFIG_HZ, as measured.</summary>
    public int Hz { get; }

    /// <summary>TICK_NSEC: (10⁹ + HZ/2) / HZ.</summary>
    public long PeriodNs { get; }

    /// <summary>Where the ticks fall on CLOCK_MONOTONIC, modulo the period.</summary>
    public long PhaseNs { get; }

    /// <summary>jiffies − ⌊(t − phase) / period⌋: constant for a boot.</summary>
    public long Offset { get; }

    /// <summary>This machine's clock, measured once per process (~150 ms), or null when /proc/timer_list cannot tell.</summary>
    public static JiffyClock? Current => s_measured.Value;

    /// <summary>The jiffy holding CLOCK_MONOTONIC instant <paramref name="monoNs"/>.</summary>
    public long JiffyAt(long monoNs) => FloorDiv(monoNs - PhaseNs, PeriodNs) + Offset;

    /// <summary>The CLOCK_MONOTONIC instant of the tick that starts <paramref name="jiffy"/>.</summary>
    public long StartOf(long jiffy) => PhaseNs + ((jiffy - Offset) * PeriodNs);

    /// <summary>
    /// The first instant at or after <paramref name="notBeforeNs"/> that stands for the model's zero: a jiffy
    /// that is a multiple of <paramref name="modulus"/>, at the model's phase within it (the model's first tick
    /// comes <see cref="TimerWheel.TickPhaseUs"/> after its zero).
    /// </summary>
    public (long ZeroNs, long Jiffy) AlignedZero(long notBeforeNs, long modulus)
    {
        long intoJiffy = PeriodNs - (TimerWheel.TickPhaseUs * 1000);
        long jiffy = JiffyAt(notBeforeNs - intoJiffy) + 1;
        jiffy += (modulus - (jiffy % modulus)) % modulus;
        return (StartOf(jiffy) + intoJiffy, jiffy);
    }

    private static JiffyClock? Measure()
    {
        try
        {
            if (Read() is not { } first) return null;
            Thread.Sleep(150);
            if (Read() is not { } second || second.LastTickNs is not { } lastTick) return null;
            double measured = (second.Jiffies - first.Jiffies) * 1e9 / (second.NowNs - first.NowNs);
            int hz = new[] { 100, 250, 300, 1000 }.MinBy(h => Math.Abs(h - measured));
            if (Math.Abs(hz - measured) > hz * 0.05) return null;
            long period = (1_000_000_000L + (hz / 2)) / hz;
            long phase = ((lastTick % period) + period) % period;

            // jiffies is printed a little after "now": a tick may fall in between. The offset most reads agree on wins.
            var offsets = new List<long>();
            for (int i = 0; i < 5; i++)
            {
                if (Read() is { } s) offsets.Add(s.Jiffies - FloorDiv(s.NowNs - phase, period));
            }

            if (offsets.Count == 0) return null;
            long offset = offsets.GroupBy(o => o).OrderByDescending(g => g.Count()).First().Key;
            return new JiffyClock(hz, period, phase, offset);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static TimerListSnapshot? Read() => File.Exists(TimerList) ? TimerListSnapshot.Parse(File.ReadAllText(TimerList)) : null;

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
