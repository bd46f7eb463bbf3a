using System.Runtime.InteropServices;
using Teardown.Linux.Interop;

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
    /// <summary>A socket (a Unix socket file, or any socket descriptor: sockfs).</summary>
    Socket,
}

/// <summary>
/// What an open descriptor refers to: its file type and inode. For a socket the inode is the one
/// sock_diag reports (<c>idiag_inode</c>) and /proc/PID/fd shows as <c>socket:[N]</c>.
/// </summary>
/// <param name="Kind">The file type.</param>
/// <param name="Inode">The inode number.</param>
public readonly record struct FileIdentity(FileKind Kind, ulong Inode)
{
    /// <summary>True when this is the socket with sock_diag inode <paramref name="inode"/>.</summary>
    public bool IsSocket(ulong inode) => Kind == FileKind.Socket && Inode == inode;
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
        return KindOf(*(ushort*)(buffer + ModeOffset));
    }

    /// <summary>
    /// The type and inode of an open descriptor: one statx(fd, "", AT_EMPTY_PATH) call, so it names the
    /// very file the descriptor holds (no path, no race with a reused name).
    /// </summary>
    public static unsafe LinuxResult<FileIdentity> OfDescriptor(SafeFdHandle descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        byte* buffer = stackalloc byte[StatxSize];
        byte empty = 0;
        bool added = false;
        try
        {
            descriptor.DangerousAddRef(ref added);
            if (Libc.statx(descriptor.Fd, &empty, LinuxConstants.AT_EMPTY_PATH, StatxType | LinuxConstants.STATX_INO, buffer) != 0)
            {
                return LinuxError.Last("statx(AT_EMPTY_PATH)");
            }
        }
        finally
        {
            if (added) descriptor.DangerousRelease();
        }

        return new FileIdentity(KindOf(*(ushort*)(buffer + ModeOffset)), *(ulong*)(buffer + LinuxConstants.StatxInoOffset));
    }

    private static FileKind KindOf(ushort mode) =>
        (mode & 0xF000) switch // S_IFMT
        {
            0x8000 => FileKind.Regular,          // S_IFREG
            0x4000 => FileKind.Directory,        // S_IFDIR
            0x2000 => FileKind.CharacterDevice,  // S_IFCHR
            0x6000 => FileKind.BlockDevice,      // S_IFBLK
            0x1000 => FileKind.Fifo,             // S_IFIFO
            0xC000 => FileKind.Socket,           // S_IFSOCK
            _ => FileKind.Missing,
        };

    [LibraryImport("libc.so.6", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
