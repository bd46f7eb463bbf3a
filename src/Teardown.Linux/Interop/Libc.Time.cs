using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// Clocks, absolute sleeps and real-time scheduling, for the lab's timeline: a line due at a CLOCK_MONOTONIC
/// instant is slept for with one absolute deadline (no drift from computing a relative wait), and the threads
/// that carry packets and calls can run SCHED_FIFO, which also exempts their sleeps from timer slack.
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary>Returns 0, or the error number itself (clock_nanosleep does not set errno).</summary>
    [LibraryImport(Library)]
    internal static partial int clock_nanosleep(int clockid, int flags, Timespec* request, Timespec* remain);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int clock_gettime(int clockid, Timespec* tp);

    /// <summary>On Linux, <paramref name="pid"/> may be a thread id: the policy is per thread.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int sched_setscheduler(int pid, int policy, SchedParam* param);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int sched_getscheduler(int pid);
}
