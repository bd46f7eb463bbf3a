using System.Runtime.InteropServices;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Processes;

/// <summary>
/// A pidfd: a descriptor that names one process for its whole life and never a later process that
/// reuses its number (kernel/pid.c:pidfd_create). Obtained with <see cref="Pidfd.Open"/>.
/// </summary>
public sealed class PidfdHandle : SafeFdHandle
{
    /// <summary>Invalid handle, for the marshaller.</summary>
    public PidfdHandle()
    {
    }

    internal PidfdHandle(int fd) : base(fd, ownsHandle: true)
    {
    }
}

/// <summary>
/// pidfd_open(2) and pidfd_getfd(2) (Linux 5.6+): duplicating another process's descriptor into this
/// one, without stopping or otherwise touching the process. The duplicate refers to the same open
/// file description (the same socket), so <c>shutdown</c> on it acts on the process's socket, while
/// closing the duplicate only drops our reference.
/// </summary>
/// <remarks>
/// Both calls go through <c>syscall(2)</c> because glibc only gained wrappers in 2.36. Errors are
/// values: <see cref="Errno.ESRCH"/> when the process is gone (kernel/pid.c:pidfd_get_task),
/// <see cref="Errno.EPERM"/> when the caller may not ptrace-attach to it
/// (kernel/pid.c:__pidfd_fget checks ptrace_may_access with PTRACE_MODE_ATTACH_REALCREDS: same
/// real uid and a dumpable target, or CAP_SYS_PTRACE), <see cref="Errno.EBADF"/> when the process
/// has no open descriptor with that number.
/// </remarks>
public static partial class Pidfd
{
    // arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h share these numbers
    // (the syscall table was unified from 424 on).
    internal const long PidfdOpenNumber = 434;
    internal const long PidfdGetfdNumber = 438;

    /// <summary>A pidfd for <paramref name="pid"/> (flags 0: a blocking pidfd; always close-on-exec).</summary>
    public static LinuxResult<PidfdHandle> Open(int pid)
    {
        if (!IsSupportedArchitecture) return new LinuxError(Errno.ENOSYS, "pidfd_open");
        long fd = Libc.syscall(PidfdOpenNumber, pid, 0, 0);
        return fd >= 0 ? new PidfdHandle((int)fd) : LinuxError.Last($"pidfd_open({pid})");
    }

    /// <summary>
    /// Duplicates descriptor <paramref name="targetFd"/> of the process behind <paramref name="process"/>
    /// into this process. The new descriptor always has FD_CLOEXEC set (kernel/pid.c:pidfd_getfd
    /// installs it with O_CLOEXEC; flags must be 0).
    /// </summary>
    public static LinuxResult<SafeFdHandle> GetFd(PidfdHandle process, int targetFd)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!IsSupportedArchitecture) return new LinuxError(Errno.ENOSYS, "pidfd_getfd");
        bool added = false;
        try
        {
            process.DangerousAddRef(ref added);
            long fd = Libc.syscall(PidfdGetfdNumber, process.Fd, targetFd, 0);
            return fd >= 0 ? new SafeFdHandle((int)fd, ownsHandle: true) : LinuxError.Last($"pidfd_getfd(fd {targetFd})");
        }
        finally
        {
            if (added) process.DangerousRelease();
        }
    }

    private static bool IsSupportedArchitecture =>
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;
}
