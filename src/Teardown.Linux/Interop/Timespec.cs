using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary><c>struct timespec</c> (time.h, 64-bit time_t); the layout is checked against the header by a test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long tv_sec;
    public long tv_nsec;

    public static Timespec FromNs(long ns) => new() { tv_sec = ns / 1_000_000_000, tv_nsec = ns % 1_000_000_000 };
}
