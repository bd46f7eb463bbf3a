using System.Runtime.InteropServices;

namespace Teardown.Linux.Files;

/// <summary>What a path names, from the file-type bits of its mode (include/uapi/linux/stat.h, S_IFMT).</summary>
public enum FileKind
{
    /// <summary>Nothing there, or it cannot be looked at.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A character device (/dev/zero, a terminal).</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A named pipe: reading it waits for a writer.</summary>
    Fifo,
    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// The type of a file, which .NET does not expose (FileInfo calls /dev/zero and a FIFO "Normal"):
/// one statx(2) call that follows symbolic links. statx's struct has the same layout on every
/// architecture, unlike struct stat.
/// </summary>
public static partial class FileKinds
{
    private const int AtFdCwd = -100;     // include/uapi/linux/fcntl.h AT_FDCWD
    private const uint StatxType = 0x1;   // include/uapi/linux/stat.h STATX_TYPE
    internal const int StatxSize = 256;   // sizeof(struct statx)
    internal const int ModeOffset = 28;   // offsetof(struct statx, stx_mode): mask, blksize (u32), attributes (u64), nlink, uid, gid (u32)

    /// <summary>What <paramref name="path"/> names (following links).</summary>
    public static unsafe FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte* buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return FileKind.Missing;
        ushort mode = *(ushort*)(buffer + ModeOffset);
        return (mode & 0xF000) switch // S_IFMT
        {
            0x8000 => FileKind.Regular,          // S_IFREG
            0x4000 => FileKind.Directory,        // S_IFDIR
            0x2000 => FileKind.CharacterDevice,  // S_IFCHR
            0x6000 => FileKind.BlockDevice,      // S_IFBLK
            0x1000 => FileKind.Fifo,             // S_IFIFO
            0xC000 => FileKind.Socket,           // S_IFSOCK
            _ => FileKind.Missing,
        };
    }

    [LibraryImport("libc.so.6", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
