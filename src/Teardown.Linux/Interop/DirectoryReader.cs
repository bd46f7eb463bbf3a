using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Interop;

/// <summary>
/// Iterates a directory with getdents64(2) into a caller-owned buffer, yielding each name as a
/// NUL-terminated byte span so it can be passed straight to *at() syscalls without a string.
/// </summary>
/// <remarks>
/// <c>struct linux_dirent64</c> (include/linux/dirent.h): u64 d_ino; s64 d_off; u16 d_reclen;
/// u8 d_type; char d_name[] (NUL-terminated), each record d_reclen bytes long.
/// </remarks>
internal unsafe ref struct DirectoryReader
{
    private const int NameOffset = DirentNameOffset;
    private readonly int _fd;
    private readonly byte* _buffer;
    private readonly int _capacity;
    private int _length;
    private int _position;

    internal DirectoryReader(int fd, byte* buffer, int capacity)
    {
        _fd = fd;
        _buffer = buffer;
        _capacity = capacity;
    }

    /// <summary>The errno that ended iteration early, or None.</summary>
    internal Errno Error { get; private set; }

    /// <summary>Opens <paramref name="path"/> (NUL-terminated, relative to <paramref name="dirfd"/>) as a directory.</summary>
    internal static int OpenAt(int dirfd, ReadOnlySpan<byte> path, out Errno errno)
    {
        fixed (byte* p = path)
        {
            int fd = Libc.openat(dirfd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            errno = fd < 0 ? LinuxError.Last("openat").Errno : Errno.None;
            return fd;
        }
    }

    /// <summary>Advances to the next entry; <paramref name="name"/> excludes the NUL, <paramref name="nameZ"/> includes it.</summary>
    internal bool Next(out ReadOnlySpan<byte> name, out byte* nameZ)
    {
        while (true)
        {
            if (_position >= _length)
            {
                nint n = Libc.getdents64(_fd, _buffer, (nuint)_capacity);
                if (n <= 0)
                {
                    Error = n < 0 ? LinuxError.Last("getdents64").Errno : Errno.None;
                    name = default;
                    nameZ = null;
                    return false;
                }

                _length = (int)n;
                _position = 0;
            }

            byte* record = _buffer + _position;
            ushort reclen = *(ushort*)(record + DirentReclenOffset);
            _position += reclen;
            nameZ = record + NameOffset;
            var candidate = new ReadOnlySpan<byte>(nameZ, reclen - NameOffset);
            int end = candidate.IndexOf((byte)0);
            name = end < 0 ? candidate : candidate[..end];
            if (name.Length > 0 && name[0] != (byte)'.')
            {
                return true;
            }
        }
    }

    /// <summary>Parses an all-digit name (a pid or fd number); false for anything else.</summary>
    internal static bool TryParseNumber(ReadOnlySpan<byte> name, out int value)
    {
        value = 0;
        if (name.IsEmpty || name.Length > 9)
        {
            return false;
        }

        foreach (byte b in name)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = value * 10 + (int)digit;
        }

        return true;
    }
}
