namespace Teardown.Linux.Interop;

/// <summary>
/// Linux errno values as the kernel numbers them on x86-64 and arm64 (asm-generic/errno-base.h,
/// asm-generic/errno.h). Values are raw kernel numbers, never a PAL translation, so a value read
/// from an <c>NLMSG_ERROR</c> payload (which carries <c>-errno</c>) maps one to one.
/// </summary>
public enum Errno
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>Operation not permitted (missing capability, e.g. CAP_NET_ADMIN for SOCK_DESTROY).</summary>
    EPERM = 1,
    /// <summary>No such file, process or socket.</summary>
    ENOENT = 2,
    /// <summary>No such process.</summary>
    ESRCH = 3,
    /// <summary>Interrupted system call.</summary>
    EINTR = 4,
    /// <summary>I/O error.</summary>
    EIO = 5,
    /// <summary>Bad file descriptor.</summary>
    EBADF = 9,
    /// <summary>Try again / would block.</summary>
    EAGAIN = 11,
    /// <summary>Out of memory.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied (file mode or ptrace access check).</summary>
    EACCES = 13,
    /// <summary>Bad address.</summary>
    EFAULT = 14,
    /// <summary>Resource busy.</summary>
    EBUSY = 16,
    /// <summary>Already exists.</summary>
    EEXIST = 17,
    /// <summary>Not a directory.</summary>
    ENOTDIR = 20,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Too many open files in this process.</summary>
    EMFILE = 24,
    /// <summary>Inappropriate ioctl for the file.</summary>
    ENOTTY = 25,
    /// <summary>No space left.</summary>
    ENOSPC = 28,
    /// <summary>Name too long.</summary>
    ENAMETOOLONG = 36,
    /// <summary>Function not implemented.</summary>
    ENOSYS = 38,
    /// <summary>Protocol not supported (e.g. the inet_diag module is not loaded).</summary>
    EPROTONOSUPPORT = 93,
    /// <summary>Operation not supported (e.g. kernel without CONFIG_INET_DIAG_DESTROY).</summary>
    EOPNOTSUPP = 95,
    /// <summary>Address family not supported (e.g. IPv6 disabled).</summary>
    EAFNOSUPPORT = 97,
    /// <summary>Software caused connection abort (what SOCK_DESTROY reports to the owner).</summary>
    ECONNABORTED = 103,
    /// <summary>Connection reset by peer.</summary>
    ECONNRESET = 104,
    /// <summary>No buffer space: for netlink, the receive queue overflowed and messages were lost.</summary>
    ENOBUFS = 105,
}
