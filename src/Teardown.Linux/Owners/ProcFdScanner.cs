using System.Globalization;
using Teardown.Linux.Interop;
using Teardown.Linux.Proc;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Owners;

/// <summary>
/// One pass over every <c>/proc/PID/fd</c>, mapping socket inodes to their owning descriptors.
/// </summary>
/// <remarks>
/// Cost is one readlinkat(2) per descriptor on the host, the reason <c>ss -p</c> is 10-15× slower
/// than a plain dump. To keep it linear and cheap: directories are read with getdents64 into one
/// reused buffer, each fd name is passed to readlinkat on the directory fd as the raw NUL-terminated
/// bytes from that buffer, the link target lands in a stack buffer, and <c>socket:[N]</c> is parsed
/// from bytes (net/socket.c:sockfs_dname). No string is created per descriptor.
/// Processes and descriptors vanishing mid-scan are expected and only counted.
/// </remarks>
public static unsafe class ProcFdScanner
{
    private const int DirBufferBytes = 64 * 1024;

    /// <summary>Scans all processes. Never throws for procfs races or permissions; counts them instead.</summary>
    public static OwnerScan Scan()
    {
        var builder = new OwnerIndex.Builder();
        var socketPids = new Dictionary<int, (int Fds, int Sockets)>();
        int scanned = 0, vanished = 0, unreadable = 0, fdsVanished = 0;
        long fdsScanned = 0;

        byte[] procBuffer = GC.AllocateUninitializedArray<byte>(DirBufferBytes, pinned: true);
        byte[] fdBuffer = GC.AllocateUninitializedArray<byte>(DirBufferBytes, pinned: true);
        int procFd = DirectoryReader.OpenAt(AT_FDCWD, "/proc\0"u8, out var procErrno);
        if (procFd < 0)
        {
            return new OwnerScan(OwnerIndex.Empty, new Dictionary<int, ProcessInfo>(), 0, 0, 0, 0, 0, new LinuxError(procErrno, "open /proc"));
        }

        try
        {
            fixed (byte* procBuf = procBuffer)
            fixed (byte* fdBuf = fdBuffer)
            {
                var processes = new DirectoryReader(procFd, procBuf, DirBufferBytes);
                Span<byte> path = stackalloc byte[32];
                byte* link = stackalloc byte[64];
                while (processes.Next(out var name, out _))
                {
                    if (!DirectoryReader.TryParseNumber(name, out int pid))
                    {
                        continue;
                    }

                    // "<pid>/fd\0" relative to the /proc directory fd.
                    name.CopyTo(path);
                    "/fd\0"u8.CopyTo(path[name.Length..]);
                    int fdDir = DirectoryReader.OpenAt(procFd, path, out var errno);
                    if (fdDir < 0)
                    {
                        if (errno is Errno.ENOENT or Errno.ESRCH)
                        {
                            vanished++;
                        }
                        else
                        {
                            unreadable++;
                        }

                        continue;
                    }

                    scanned++;
                    int fds = 0, sockets = 0;
                    try
                    {
                        var entries = new DirectoryReader(fdDir, fdBuf, DirBufferBytes);
                        while (entries.Next(out var fdName, out byte* fdNameZ))
                        {
                            fds++;
                            nint n = Libc.readlinkat(fdDir, fdNameZ, link, 64);
                            if (n < 0)
                            {
                                fdsVanished++;
                                continue;
                            }

                            if (LinkParsers.TryParseBracketedInode(new ReadOnlySpan<byte>(link, (int)n), "socket:["u8, out ulong inode)
                                && DirectoryReader.TryParseNumber(fdName, out int fd))
                            {
                                builder.Add(inode, pid, fd);
                                sockets++;
                            }
                        }

                        if (entries.Error is Errno.ENOENT or Errno.ESRCH)
                        {
                            vanished++;
                        }
                    }
                    finally
                    {
                        Libc.close(fdDir);
                    }

                    fdsScanned += fds;
                    if (sockets > 0)
                    {
                        socketPids[pid] = (fds, sockets);
                    }
                }
            }
        }
        finally
        {
            Libc.close(procFd);
        }

        return new OwnerScan(builder.Build(), ReadProcessInfos(socketPids), scanned, vanished, unreadable, fdsVanished, fdsScanned);
    }

    /// <summary>The process information of every pid that holds at least one socket, from its descriptor counts.</summary>
    internal static Dictionary<int, ProcessInfo> ReadProcessInfos(Dictionary<int, (int Fds, int Sockets)> counts)
    {
        var infos = new Dictionary<int, ProcessInfo>();
        foreach (var (pid, c) in counts)
        {
            if (c.Sockets > 0) infos[pid] = ReadProcessInfo(pid, c.Fds, c.Sockets);
        }

        return infos;
    }

    /// <summary>Reads comm, cmdline, cgroup, limits and netns of one process; unreadable parts are null.</summary>
    public static ProcessInfo ReadProcessInfo(int pid, int fdCount, int socketFdCount)
    {
        string dir = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/";
        string? comm = ProcFs.TryReadText(dir + "comm", out _)?.TrimEnd('\n');
        byte[]? cmdline = ProcFs.TryReadBytes(dir + "cmdline", out _);
        string? cgroup = ProcFs.TryReadText(dir + "cgroup", out _);
        string? limits = ProcFs.TryReadText(dir + "limits", out _);
        ulong netns = ReadNetNsInode(dir + "ns/net");
        return new ProcessInfo(
            pid,
            comm,
            cmdline is null ? null : ProcPidParsers.FirstCommandLineArgument(cmdline),
            cgroup is null ? null : ProcPidParsers.ParseCgroupPath(cgroup),
            limits is null ? null : ProcPidParsers.ParseNoFileLimit(limits),
            fdCount,
            socketFdCount,
            netns);
    }

    /// <summary>Reads the <c>net:[N]</c> link of a /proc/PID/ns/net path; 0 if unreadable.</summary>
    internal static ulong ReadNetNsInode(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (!ProcFs.TryEncodePath(path, buffer, out var encoded))
        {
            return 0;
        }

        byte* link = stackalloc byte[64];
        fixed (byte* p = encoded)
        {
            nint n = Libc.readlinkat(AT_FDCWD, p, link, 64);
            return n > 0 && LinkParsers.TryParseBracketedInode(new ReadOnlySpan<byte>(link, (int)n), "net:["u8, out ulong inode)
                ? inode
                : 0;
        }
    }
}
