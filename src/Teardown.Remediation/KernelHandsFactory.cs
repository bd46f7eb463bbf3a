using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Netlink;

namespace Teardown.Remediation;

/// <summary>
/// Opens <see cref="KernelHands"/> in a network namespace: a sock_diag socket created inside it
/// (a netlink socket stays in the namespace it was created in, whichever thread uses it later).
/// </summary>
public sealed class KernelHandsFactory : IHandsFactory
{
    /// <inheritdoc />
    public LinuxResult<IActionHands> Open(ulong netNsInode)
    {
        var current = NetNs.OpenCurrent();
        if (!current.IsOk) return current.Error!.Value;
        using (var here = current.Value)
        {
            if (netNsInode == 0 || here.Inode == netNsInode) return Wrap(SockDiag.Open());
        }

        var path = NetNsEnumerator.Enumerate().Namespaces.FirstOrDefault(n => n.Inode == netNsInode)?.OpenPath ?? HeldByThisProcess(netNsInode);
        if (path is null) return new LinuxError(Errno.ENOENT, $"network namespace {netNsInode} (no process or /run/netns name holds it any more)");
        var handle = NetNsHandle.Open(path);
        if (!handle.IsOk) return handle.Error!.Value;
        using var ns = handle.Value;
        if (ns.Inode != netNsInode) return new LinuxError(Errno.ENOENT, $"network namespace {netNsInode} ({path} now names another)");
        var inside = NetNs.Run(ns, () => SockDiag.Open());
        return inside.IsOk ? Wrap(inside.Value) : inside.Error!.Value;
    }

    /// <summary>
    /// A namespace only this process holds, by a descriptor (one made with unshare on a thread, as
    /// <c>demo</c> does): no process lives in it and it has no name, but /proc/self/fd/N opens it.
    /// </summary>
    private static string? HeldByThisProcess(ulong netNsInode)
    {
        string wanted = $"net:[{netNsInode}]";
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == wanted) return fd;
                }
                catch (IOException)
                {
                    // closed meanwhile
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private static LinuxResult<IActionHands> Wrap(LinuxResult<SockDiag> diag) =>
        diag.IsOk ? new KernelHands(diag.Value) : diag.Error!.Value;
}
