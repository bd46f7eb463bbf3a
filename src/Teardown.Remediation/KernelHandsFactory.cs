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

        var path = NetNsEnumerator.Enumerate().Namespaces.FirstOrDefault(n => n.Inode == netNsInode)?.OpenPath;
        if (path is null) return new LinuxError(Errno.ENOENT, $"network namespace {netNsInode} (no process or /run/netns name holds it any more)");
        var handle = NetNsHandle.Open(path);
        if (!handle.IsOk) return handle.Error!.Value;
        using var ns = handle.Value;
        if (ns.Inode != netNsInode) return new LinuxError(Errno.ENOENT, $"network namespace {netNsInode} ({path} now names another)");
        var inside = NetNs.Run(ns, () => SockDiag.Open());
        return inside.IsOk ? Wrap(inside.Value) : inside.Error!.Value;
    }

    private static LinuxResult<IActionHands> Wrap(LinuxResult<SockDiag> diag) =>
        diag.IsOk ? new KernelHands(diag.Value) : diag.Error!.Value;
}
