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
    /// Reads the <c>net:[N]</c> link of an open namespace file via /proc/self/fd/FD and returns N.
    /// Works for any nsfs file, including bind mounts under /run/netns, without stat().
    /// </summary>
    internal static LinuxResult<ulong> ReadNamespaceInodeOfFd(int fd)
    {
        Span<byte> path = stackalloc byte[64];
        "/proc/self/fd/"u8.CopyTo(path);
        int length = 14;
        fd.TryFormat(path[length..], out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        length += written;
        path[length] = 0;
        Span<byte> target = stackalloc byte[64];
        fixed (byte* p = path)
        fixed (byte* t = target)
        {
            nint n = Libc.readlinkat(AT_FDCWD, p, t, (nuint)target.Length);
            if (n < 0)
            {
                return LinuxError.Last("readlink /proc/self/fd");
            }

            return LinkParsers.TryParseBracketedInode(target[..(int)n], "net:["u8, out ulong inode)
                ? inode
                : new LinuxError(Errno.EINVAL, "not a network namespace file");
        }
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
