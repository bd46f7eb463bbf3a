namespace Teardown.Model;

/// <summary>Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h) that socket calls return.</summary>
public enum Errno
{
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    EINTR = 4,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EINVAL = 22,
    EMFILE = 24,
    EPIPE = 32,
    ENOTSOCK = 88,
    ENOPROTOOPT = 92,
    EOPNOTSUPP = 95,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ENETUNREACH = 101,
    ECONNABORTED = 103,
    ECONNRESET = 104,
    ENOBUFS = 105,
    EISCONN = 106,
    ENOTCONN = 107,
    ETIMEDOUT = 110,
    ECONNREFUSED = 111,
    EHOSTUNREACH = 113,
    EALREADY = 114,
    EINPROGRESS = 115,
}

/// <summary>Parsing errno names written in scenarios.</summary>
public static class ErrnoNames
{
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
