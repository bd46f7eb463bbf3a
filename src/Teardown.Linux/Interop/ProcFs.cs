using System.Text;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Interop;

/// <summary>Small allocation-conscious file helpers over raw syscalls, shared by the /proc readers.</summary>
internal static unsafe class ProcFs
{
    /// <summary>open(path, O_RDONLY | O_CLOEXEC).</summary>
    internal static LinuxResult<int> OpenReadOnly(string path, bool directory = false)
    {
        Span<byte> buffer = stackalloc byte[512];
        if (!TryEncodePath(path, buffer, out var encoded))
        {
            return new LinuxError(Errno.ENAMETOOLONG, "open " + path);
        }

        fixed (byte* p = encoded)
        {
            int flags = O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
            int fd = Libc.open(p, flags, 0);
            return fd >= 0 ? fd : LinuxError.Last("open " + path);
        }
    }

    /// <summary>
    /// Returns the inode of an open network-namespace file after checking, with the nsfs ioctl
    /// NS_GET_NSTYPE (fs/nsfs.c:ns_ioctl), that it is one. The inode comes from statx(AT_EMPTY_PATH)
    /// because a namespace opened through a bind mount (/run/netns/NAME) reads back as that path,
    /// not as <c>net:[N]</c>, through /proc/self/fd.
    /// </summary>
    internal static LinuxResult<ulong> ReadNamespaceInodeOfFd(int fd)
    {
        int type = Libc.ioctl(fd, NS_GET_NSTYPE, null);
        if (type < 0)
        {
            var error = LinuxError.Last("ioctl(NS_GET_NSTYPE)");
            return error.Errno == Errno.ENOTTY ? new LinuxError(Errno.EINVAL, "not a namespace file") : error;
        }

        if (type != CLONE_NEWNET)
        {
            return new LinuxError(Errno.EINVAL, "not a network namespace");
        }

        byte* statx = stackalloc byte[StatxSize];
        byte empty = 0;
        if (Libc.statx(fd, &empty, AT_EMPTY_PATH, STATX_INO, statx) != 0)
        {
            return LinuxError.Last("statx");
        }

        return *(ulong*)(statx + StatxInoOffset);
    }

    /// <summary>Reads a whole small file (procfs/sysfs) as UTF-8 text; null on any error, with the errno.</summary>
    internal static string? TryReadText(string path, out Errno errno)
    {
        var fd = OpenReadOnly(path);
        if (!fd.IsOk)
        {
            errno = fd.Error.Value.Errno;
            return null;
        }

        try
        {
            var bytes = ReadAll(fd.Value, out errno);
            return bytes is null ? null : Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            Libc.close(fd.Value);
        }
    }

    /// <summary>Reads a whole small file as bytes; null on error.</summary>
    internal static byte[]? TryReadBytes(string path, out Errno errno)
    {
        var fd = OpenReadOnly(path);
        if (!fd.IsOk)
        {
            errno = fd.Error.Value.Errno;
            return null;
        }

        try
        {
            return ReadAll(fd.Value, out errno);
        }
        finally
        {
            Libc.close(fd.Value);
        }
    }

    // procfs files report size 0, so read until EOF into a growing buffer.
    private static byte[]? ReadAll(int fd, out Errno errno)
    {
        byte[] buffer = new byte[16384];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            nint n;
            fixed (byte* p = &buffer[length])
            {
                n = Libc.read(fd, p, (nuint)(buffer.Length - length));
            }

            if (n < 0)
            {
                var error = LinuxError.Last("read");
                if (error.Errno == Errno.EINTR)
                {
                    continue;
                }

                errno = error.Errno;
                return null;
            }

            if (n == 0)
            {
                errno = Errno.None;
                return buffer.AsSpan(0, length).ToArray();
            }

            length += (int)n;
        }
    }

    /// <summary>Writes a small value to a procfs/sysfs file (e.g. a sysctl).</summary>
    internal static LinuxError? TryWriteText(string path, string value)
    {
        Span<byte> buffer = stackalloc byte[512];
        if (!TryEncodePath(path, buffer, out var encoded))
        {
            return new LinuxError(Errno.ENAMETOOLONG, "open " + path);
        }

        int fd;
        fixed (byte* p = encoded)
        {
            fd = Libc.open(p, O_WRONLY | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            return LinuxError.Last("open " + path);
        }

        try
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
            {
                nint n = Libc.write(fd, b, (nuint)bytes.Length);
                return n == bytes.Length ? null : LinuxError.Last("write " + path);
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>Encodes a path as NUL-terminated UTF-8 into a caller buffer.</summary>
    internal static bool TryEncodePath(string path, Span<byte> buffer, out Span<byte> encoded)
    {
        encoded = default;
        if (Encoding.UTF8.GetMaxByteCount(path.Length) >= buffer.Length && Encoding.UTF8.GetByteCount(path) >= buffer.Length)
        {
            return false;
        }

        int n = Encoding.UTF8.GetBytes(path, buffer);
        buffer[n] = 0;
        encoded = buffer[..(n + 1)];
        return true;
    }
}
