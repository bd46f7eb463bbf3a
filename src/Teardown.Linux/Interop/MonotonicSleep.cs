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

    /// <summary>
    /// Waits until <paramref name="done"/> says so or CLOCK_MONOTONIC reaches <paramref name="deadlineNs"/>: for
    /// <paramref name="spinNs"/> it checks at every turn, yielding the core between checks (what it waits for is
    /// usually another thread's work of a few microseconds, and a thread put to sleep took up to milliseconds to
    /// wake on the 2-core VM), then it checks every <paramref name="pollNs"/> in absolute sleeps. The state is passed
    /// through so that a static lambda allocates nothing on the lab's timed paths.
    /// </summary>
    /// <returns>true when <paramref name="done"/> said so before the deadline</returns>
    internal static bool SpinThenPoll<TState>(Func<TState, bool> done, TState state, long deadlineNs, long spinNs, long pollNs = DefaultPollNs)
    {
        ArgumentNullException.ThrowIfNull(done);
        long spinUntil = NowNs() + spinNs;
        while (!done(state))
        {
            long now = NowNs();
            if (now >= deadlineNs) return false;
            if (now < spinUntil) Thread.Yield();
            else Until(Math.Min(deadlineNs, now + pollNs));
        }

        return true;
    }

    /// <summary>How often <see cref="SpinThenPoll"/> checks once it has stopped spinning.</summary>
    internal const long DefaultPollNs = 50_000;

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
