using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary><c>struct sched_param</c> (sched.h); the layout is checked against the header by a test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SchedParam
{
    public int sched_priority;
}
