using Teardown.Linux.Interop;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Namespaces;

/// <summary>
/// Finds every network namespace reachable from /proc/*/ns/net (deduplicated by nsfs inode) and
/// /run/netns/*. Namespaces held only by a non-leader thread that called setns, by an open fd, or
/// by a bind mount elsewhere are not found; that is a documented blind spot.
/// </summary>
public static unsafe class NetNsEnumerator
{
    /// <summary>Where iproute2 bind-mounts named namespaces.</summary>
    public const string RunNetNsDirectory = "/run/netns";

    /// <summary>Enumerates namespaces; never throws for procfs races or permissions.</summary>
    public static NetNsScan Enumerate()
    {
        var byInode = new Dictionary<ulong, (int Pid, int Count)>();
        int unreadable = 0, vanished = 0;
        var unreadablePids = new List<int>();
        byte[] buffer = GC.AllocateUninitializedArray<byte>(64 * 1024, pinned: true);
        int procFd = DirectoryReader.OpenAt(AT_FDCWD, "/proc\0"u8, out _);
        if (procFd >= 0)
        {
            try
            {
                fixed (byte* buf = buffer)
                {
                    var processes = new DirectoryReader(procFd, buf, buffer.Length);
                    Span<byte> path = stackalloc byte[32];
                    byte* link = stackalloc byte[64];
                    while (processes.Next(out var name, out _))
                    {
                        if (!DirectoryReader.TryParseNumber(name, out int pid))
                        {
                            continue;
                        }

                        name.CopyTo(path);
                        "/ns/net\0"u8.CopyTo(path[name.Length..]);
                        nint n;
                        fixed (byte* p = path)
                        {
                            n = Libc.readlinkat(procFd, p, link, 64);
                        }

                        if (n < 0)
                        {
                            var errno = LinuxError.Last("readlinkat ns/net").Errno;
                            if (errno is Errno.ENOENT or Errno.ESRCH)
                            {
                                vanished++;
                            }
                            else
                            {
                                unreadable++;
                                if (unreadablePids.Count < 5) unreadablePids.Add(pid);
                            }

                            continue;
                        }

                        if (LinkParsers.TryParseBracketedInode(new ReadOnlySpan<byte>(link, (int)n), "net:["u8, out ulong inode))
                        {
                            byInode[inode] = byInode.TryGetValue(inode, out var seen) ? (seen.Pid, seen.Count + 1) : (pid, 1);
                        }
                    }
                }
            }
            finally
            {
                Libc.close(procFd);
            }
        }

        var names = new Dictionary<ulong, List<string>>();
        foreach (var (name, inode) in NamedNamespaces())
        {
            if (!names.TryGetValue(inode, out var list))
            {
                names[inode] = list = [];
            }

            list.Add(name);
        }

        ulong self = ProcFdScanner.ReadNetNsInode("/proc/thread-self/ns/net");
        var result = new List<NetNamespaceInfo>();
        foreach (ulong inode in byInode.Keys.Union(names.Keys).OrderBy(i => i == self ? 0 : 1).ThenBy(i => i))
        {
            bool hasPid = byInode.TryGetValue(inode, out var holder);
            string? cgroup = hasPid ? ReadCgroup(holder.Pid) : null;
            result.Add(new NetNamespaceInfo(
                inode,
                hasPid ? holder.Pid : null,
                cgroup,
                hasPid ? holder.Count : 0,
                names.TryGetValue(inode, out var n) ? n : []));
        }

        return new NetNsScan(result, unreadable, vanished, unreadablePids);
    }

    private static IEnumerable<(string Name, ulong Inode)> NamedNamespaces()
    {
        string[] files;
        try
        {
            files = Directory.Exists(RunNetNsDirectory) ? Directory.GetFiles(RunNetNsDirectory) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (string file in files)
        {
            var handle = NetNsHandle.Open(file);
            if (!handle.IsOk)
            {
                continue; // a stale name whose bind mount is gone: not a namespace
            }

            using (handle.Value)
            {
                yield return (Path.GetFileName(file), handle.Value.Inode);
            }
        }
    }

    private static string? ReadCgroup(int pid)
    {
        string? text = ProcFs.TryReadText($"/proc/{pid}/cgroup", out _);
        return text is null ? null : ProcPidParsers.ParseCgroupPath(text);
    }
}
