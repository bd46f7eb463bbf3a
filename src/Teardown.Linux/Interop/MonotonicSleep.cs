using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Interop;

/// <summary>
/// CLOCK_MONOTONIC read and slept on directly: <see cref="Until"/> sleeps to an absolute deadline
/// (clock_nanosleep TIMER_ABSTIME), so a wait computed before a preemption still ends on time, and for a
/// SCHED_FIFO thread the hrtimer fires without timer slack — no spinning needed to be precise.
/// </summary>
internal static unsafe class MonotonicSleep
{
    /// <summary>CLOCK_MONOTONIC in nanoseconds (the clock Stopwatch, tracefs trace_clock=mono and every process share).</summary>
    internal static long NowNs()
    {
        Timespec t;
        Libc.clock_gettime(CLOCK_MONOTONIC, &t);
        return (t.tv_sec * 1_000_000_000) + t.tv_nsec;
    }

    /// <summary>
    /// Sleeps until <paramref name="spinNs"/> before the deadline, then spins on the clock to it: waking from a
    /// timer costs 50–100 µs on a virtual machine (the hrtimer interrupt, then the switch), which a short spin
    /// hides. Only for real-time threads with rare deadlines — the spin holds the core.
    /// </summary>
    internal static void UntilSpinning(long deadlineNs, long spinNs)
    {
        Until(deadlineNs - spinNs);
        while (NowNs() < deadlineNs) Thread.SpinWait(20);
    }

    /// <summary>
    /// As <see cref="UntilSpinning"/>, but yielding the core at every turn of the spin: for real-time threads that
    /// spin while others of their priority may need to run on a 2-core machine (another agent's call due at the
    /// same instant, the line this one waits for) — a SCHED_FIFO spinner that never yields keeps them off its core.
    /// </summary>
    internal static void UntilSpinningYielding(long deadlineNs, long spinNs)
    {
        Until(deadlineNs - spinNs);
        while (NowNs() < deadlineNs) Thread.Yield();
    }

    /// <summary>Sleeps until CLOCK_MONOTONIC reaches <paramref name="deadlineNs"/> (returns at once if it has).</summary>
    internal static void Until(long deadlineNs)
    {
        Timespec t = Timespec.FromNs(deadlineNs);
        while (Libc.clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, null) == EINTR)
        {
            // A signal (the runtime's GC suspension uses them) interrupted the sleep: the deadline is absolute, sleep on.
        }
    }
}
