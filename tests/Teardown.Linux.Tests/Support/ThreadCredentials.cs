using System.Runtime.InteropServices;

namespace Teardown.Linux.Tests.Support;

/// <summary>Per-thread credential changes for permission tests, via raw syscalls.</summary>
internal static partial class ThreadCredentials
{
    /// <summary>Drops the calling thread to uid and gid 65534 (see <see cref="DropTo"/>); returns 0 or -1.</summary>
    internal static long DropToNobody() => DropTo(65534);

    /// <summary>
    /// setresgid(uid, uid, uid) then setresuid(uid, uid, uid) for the calling thread only (the group too,
    /// because ptrace access compares gids as well: kernel/ptrace.c:__ptrace_may_access); 0 or -1.
    /// </summary>
    internal static long DropTo(int uid)
    {
        // setresgid: x86-64 119, arm64 149.
        long setresgid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 149 : 119;
        if (syscall(setresgid, uid, uid, uid) != 0)
        {
            return -1;
        }

        // arch/x86/entry/syscalls/syscall_64.tbl: 117; include/uapi/asm-generic/unistd.h (arm64): 147.
        long number = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 147 : 117;
        return syscall(number, uid, uid, uid);
    }

    [LibraryImport("libc.so.6")]
    private static partial long syscall(long number, long a, long b, long c);
}
