using System.Runtime.InteropServices;

namespace Teardown.Linux.Tests.Support;

/// <summary>Per-thread credential changes for permission tests, via raw syscalls.</summary>
internal static partial class ThreadCredentials
{
    /// <summary>setresuid(65534, 65534, 65534) for the calling thread only; returns 0 or -1.</summary>
    internal static long DropToNobody()
    {
        // arch/x86/entry/syscalls/syscall_64.tbl: 117; include/uapi/asm-generic/unistd.h (arm64): 147.
        long number = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 147 : 117;
        return syscall(number, 65534, 65534, 65534);
    }

    [LibraryImport("libc.so.6")]
    private static partial long syscall(long number, long a, long b, long c);
}
