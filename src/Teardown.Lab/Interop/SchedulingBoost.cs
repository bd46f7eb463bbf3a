using System.Runtime.InteropServices;

namespace Teardown.Lab.Interop;

/// <summary>
/// Raises the calling thread's scheduling priority (nice -10; on Linux setpriority(PRIO_PROCESS, tid)
/// acts on one thread). Used for the threads that carry packets and perform calls, so that a busy
/// machine delays the scenario's timeline less. Best effort: without privilege nothing changes.
/// </summary>
internal static partial class SchedulingBoost
{
    private const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int prio);

    public static void Boost() => SetPriority(PrioProcess, (uint)Libc.GetTid(), -10);
}
