namespace Teardown.Kernel;

/// <summary>
/// Linux errno values as the kernel numbers them on x86-64 and arm64 (include/uapi/asm-generic/errno-base.h,
/// errno.h). Raw kernel numbers, never a PAL translation: a socket call's result in the model, an agent's
/// errno in the lab and the <c>-errno</c> of an <c>NLMSG_ERROR</c> payload all map one to one.
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
    /// <summary>Broken pipe: a write after our shutdown(SHUT_WR) or close, or after the peer's reset was reported.</summary>
    EPIPE = 32,
    /// <summary>Name too long.</summary>
    ENAMETOOLONG = 36,
    /// <summary>Function not implemented.</summary>
    ENOSYS = 38,
    /// <summary>Socket operation on a descriptor that is not a socket.</summary>
    ENOTSOCK = 88,
    /// <summary>Protocol option not available (unknown setsockopt).</summary>
    ENOPROTOOPT = 92,
    /// <summary>Protocol not supported (e.g. the inet_diag module is not loaded).</summary>
    EPROTONOSUPPORT = 93,
    /// <summary>Operation not supported (e.g. kernel without CONFIG_INET_DIAG_DESTROY).</summary>
    EOPNOTSUPP = 95,
    /// <summary>Address family not supported (e.g. IPv6 disabled).</summary>
    EAFNOSUPPORT = 97,
    /// <summary>Address already in use (bind or listen on a taken port).</summary>
    EADDRINUSE = 98,
    /// <summary>Cannot assign the requested address (e.g. no free ephemeral port).</summary>
    EADDRNOTAVAIL = 99,
    /// <summary>Network is unreachable.</summary>
    ENETUNREACH = 101,
    /// <summary>Software caused connection abort (also what SOCK_DESTROY reports to the owner).</summary>
    ECONNABORTED = 103,
    /// <summary>Connection reset by peer.</summary>
    ECONNRESET = 104,
    /// <summary>No buffer space: for netlink, the receive queue overflowed and messages were lost.</summary>
    ENOBUFS = 105,
    /// <summary>Socket is already connected.</summary>
    EISCONN = 106,
    /// <summary>Socket is not connected.</summary>
    ENOTCONN = 107,
    /// <summary>Connection timed out (retransmissions, keepalive or TCP_USER_TIMEOUT gave up).</summary>
    ETIMEDOUT = 110,
    /// <summary>Connection refused (a RST answered our SYN).</summary>
    ECONNREFUSED = 111,
    /// <summary>No route to host (ICMP host unreachable).</summary>
    EHOSTUNREACH = 113,
    /// <summary>A connect is already in progress on this non-blocking socket.</summary>
    EALREADY = 114,
    /// <summary>A non-blocking connect was started.</summary>
    EINPROGRESS = 115,
}

/// <summary>Parsing errno names written in scenarios.</summary>
public static class ErrnoNames
{
    /// <summary>Parses an errno name (<c>ECONNRESET</c>, case-insensitive); numbers and <c>None</c> are refused.</summary>
    public static bool TryParse(string text, out Errno errno)
    {
        if (Enum.TryParse(text, ignoreCase: true, out errno) && errno != Errno.None && Enum.IsDefined(errno) &&
            !int.TryParse(text, out _))
        {
            return true;
        }

        errno = Errno.None;
        return false;
    }
}
