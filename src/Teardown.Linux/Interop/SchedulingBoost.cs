using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Interop;

/// <summary>
/// Raises the calling thread's scheduling priority (nice -10; on Linux setpriority(PRIO_PROCESS, tid)
/// acts on one thread). Used by the lab for the threads that carry packets and perform calls, so that
/// a busy machine delays a scenario's timeline less. Best effort: without privilege nothing changes.
/// </summary>
internal static class SchedulingBoost
{
    internal static void Boost() => Libc.setpriority(PRIO_PROCESS, (uint)Libc.gettid(), -10);
}
