using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Interop;

/// <summary>
/// Raises the calling thread's scheduling priority, for the lab's threads that carry packets and perform
/// calls, so that a busy machine delays a scenario's timeline less. On Linux both setpriority(PRIO_PROCESS,
/// tid) and sched_setscheduler(tid) act on one thread. Best effort: without privilege nothing changes.
/// </summary>
internal static class SchedulingBoost
{
    /// <summary>Packets: the wire's readers and scheduler. Below the kernel's threaded interrupt handlers (FIFO 50).</summary>
    internal const int WirePriority = 30;

    /// <summary>Calls: the timeline's threads and the agents' call and request threads.</summary>
    internal const int CallPriority = 20;

    /// <summary>nice -10: a larger share of the CPU, but a nice-0 thread still runs first often enough to make us late.</summary>
    internal static void Boost() => Libc.setpriority(PRIO_PROCESS, (uint)Libc.gettid(), -10);

    /// <summary>
    /// SCHED_FIFO at <paramref name="priority"/>: the thread preempts every ordinary thread the moment it wakes,
    /// and its timed sleeps get no timer slack (kernel/time/hrtimer.c: rt tasks). Only for threads that block
    /// between short pieces of work — a FIFO thread that spins starves its core (up to the kernel's 95 %
    /// rt throttling). Falls back to <see cref="Boost"/> where real-time scheduling is not permitted.
    /// </summary>
    /// <returns>True when the thread now runs SCHED_FIFO.</returns>
    internal static unsafe bool RealTime(int priority)
    {
        var p = new SchedParam { sched_priority = priority };
        // RESET_ON_FORK: threads this one creates (the runtime starts its helpers lazily, from whichever thread
        // needs them first) start as ordinary threads instead of inheriting real-time priority.
        if (Libc.sched_setscheduler(Libc.gettid(), SCHED_FIFO | SCHED_RESET_ON_FORK, &p) == 0) return true;
        Boost();
        return false;
    }

    /// <summary>
    /// <see cref="RealTime"/> when <paramref name="realTime"/> (a lab run playing alone), else <see cref="Boost"/>
    /// (runs side by side: see the lab's KernelTargetOptions.RealTime).
    /// </summary>
    internal static void RealTimeIf(bool realTime, int priority)
    {
        if (realTime) RealTime(priority);
        else Boost();
    }

    /// <summary>
    /// Every thread of process <paramref name="pid"/> back to SCHED_OTHER, e.g. before it is killed: a process's exit
    /// (its address space torn down, its descriptors closed) runs in its own threads at their priority, and a
    /// real-time agent's exit held a core for milliseconds while the lines after a crash were due. Best effort.
    /// </summary>
    internal static unsafe void OrdinaryProcess(int pid)
    {
        string[] tasks;
        try { tasks = Directory.GetDirectories($"/proc/{pid}/task"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        var p = new SchedParam { sched_priority = 0 };
        foreach (string t in tasks)
        {
            if (int.TryParse(Path.GetFileName(t), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int tid)) Libc.sched_setscheduler(tid, SCHED_OTHER, &p);
        }
    }

    /// <summary>Back to SCHED_OTHER (nice -10), e.g. for a thread about to do long CPU work.</summary>
    internal static unsafe void Ordinary()
    {
        var p = new SchedParam { sched_priority = 0 };
        Libc.sched_setscheduler(Libc.gettid(), SCHED_OTHER, &p);
        Boost();
    }
}
