using Teardown.Doctor.Actions;
using Teardown.Linux.Files;
using Teardown.Linux.Interop;
using Teardown.Linux.Netlink;
using Teardown.Linux.Processes;
using Teardown.Linux.Sockets;

namespace Teardown.Remediation;

/// <summary>
/// Acts on the live kernel through one sock_diag socket opened in the target namespace.
/// Every action starts with an exact lookup of the planned socket (4-tuple and cookie) and compares
/// its state and inode with the plan: a socket that is gone, replaced or moved on is skipped, never
/// acted on. A release then checks that the owner's descriptor still refers to that very socket
/// (statx of the duplicate) before calling shutdown. Facts: docs/release-and-kill.md.
/// </summary>
public sealed class KernelHands : IActionHands
{
    private readonly SockDiag _diag;

    /// <summary>Hands over <paramref name="diag"/> (opened in the namespace to act in; these hands own it).</summary>
    public KernelHands(SockDiag diag) => _diag = diag ?? throw new ArgumentNullException(nameof(diag));

    /// <inheritdoc />
    public HandsOutcome Apply(PlannedAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (Reverify(action.Socket) is HandsOutcome changed) return changed;
        return action.Action == ActionKind.Release ? Release(action.Socket) : Kill(action.Socket);
    }

    /// <summary>Null when the socket is still the planned one in the planned state; else why not.</summary>
    private HandsOutcome? Reverify(in SocketIdentity id)
    {
        var tuple = new SocketTuple(id.Local.Address.Family, id.Local, id.Remote);
        // The cookie makes the kernel refuse any other socket on the same 4-tuple
        // (net/core/sock_diag.c:sock_diag_check_cookie, called by inet_diag_find_one_icsk).
        switch (_diag.Lookup(tuple, out var now, out var error, id.Cookie, DiagExtensions.None))
        {
            case LookupStatus.Found:
                break;
            case LookupStatus.NotFound:
                // Tell "gone" from "the 4-tuple now belongs to a new connection".
                return _diag.Lookup(tuple, out var other, out _, SockDiag.NoCookie, DiagExtensions.None) == LookupStatus.Found
                    ? HandsOutcome.Skip($"changed: the 4-tuple now belongs to another connection (cookie {other.Cookie:x}, {other.KernelState.ToLinuxName()})")
                    : HandsOutcome.Skip("vanished: the connection no longer exists");
            default:
                return HandsOutcome.Refuse(error?.Errno ?? Errno.EIO, $"cannot look the socket up again: {error}");
        }

        if (now.KernelState != id.State) return HandsOutcome.Skip($"state moved on: {id.State.ToLinuxName()} → {now.KernelState.ToLinuxName()}");
        if (now.Inode != id.Inode) return HandsOutcome.Skip($"changed: inode {id.Inode} → {now.Inode}");
        return null;
    }

    private HandsOutcome Kill(in SocketIdentity id)
    {
        var tuple = new SocketTuple(id.Local.Address.Family, id.Local, id.Remote);
        var result = _diag.Destroy(tuple, id.Cookie);
        return result.Status switch
        {
            DestroyStatus.Destroyed => new HandsOutcome(OutcomeKind.Killed, "destroyed (SOCK_DESTROY)"),
            DestroyStatus.Gone => HandsOutcome.Skip("vanished before SOCK_DESTROY reached it", Errno.ENOENT),
            DestroyStatus.PermissionDenied => HandsOutcome.Refuse(result.Error?.Errno ?? Errno.EPERM, "SOCK_DESTROY needs CAP_NET_ADMIN in the socket's network namespace"),
            DestroyStatus.NotSupported => HandsOutcome.Refuse(Errno.EOPNOTSUPP, "this kernel cannot destroy sockets (CONFIG_INET_DIAG_DESTROY is off)"),
            _ => HandsOutcome.Refuse(result.Error?.Errno ?? Errno.EIO, $"SOCK_DESTROY failed: {result.Error}"),
        };
    }

    private static HandsOutcome Release(in SocketIdentity id)
    {
        if (id.Pid is not int pid || id.Fd is not int fd) return HandsOutcome.Refuse(Errno.EINVAL, "no owner to release from");
        var opened = Pidfd.Open(pid);
        if (!opened.IsOk)
        {
            return opened.Error!.Value.Errno == Errno.ESRCH
                ? HandsOutcome.Skip($"process {pid} has exited", Errno.ESRCH)
                : HandsOutcome.Refuse(opened.Error!.Value.Errno, $"pidfd_open({pid}): {opened.Error!.Value.Errno}");
        }

        using var process = opened.Value;
        var duplicated = Pidfd.GetFd(process, fd);
        if (!duplicated.IsOk)
        {
            return duplicated.Error!.Value.Errno switch
            {
                Errno.ESRCH => HandsOutcome.Skip($"process {pid} has exited", Errno.ESRCH),
                Errno.EBADF => HandsOutcome.Skip($"changed: process {pid} has closed fd {fd}", Errno.EBADF),
                Errno.EPERM => HandsOutcome.Refuse(Errno.EPERM, $"not allowed to take fd {fd} of process {pid} (pidfd_getfd needs ptrace permission over it: the same uid and gid, or CAP_SYS_PTRACE)"),
                var other => HandsOutcome.Refuse(other, $"pidfd_getfd(pid {pid}, fd {fd}): {other}"),
            };
        }

        using var socket = duplicated.Value;
        // The descriptor number may have been closed and reused (by another socket, a pipe, a file)
        // since the plan: only the very inode that was planned may be shut down.
        var identity = FileKinds.OfDescriptor(socket);
        if (!identity.IsOk) return HandsOutcome.Refuse(identity.Error!.Value.Errno, $"statx on the duplicate of fd {fd}: {identity.Error!.Value.Errno}");
        if (!identity.Value.IsSocket(id.Inode))
        {
            return HandsOutcome.Skip($"changed: fd {fd} of process {pid} now refers to another file ({identity.Value.Kind.ToString().ToLowerInvariant()}, inode {identity.Value.Inode})");
        }

        // SHUT_WR for every CLOSE_WAIT: our FIN, never an RST, unread data or not (tcp_shutdown
        // only queues the FIN; the receive queue is discarded only by close — tcp.c:__tcp_close).
        if (SocketCalls.Shutdown(socket, ShutdownHow.Write) is LinuxError failed)
        {
            return failed.Errno == Errno.ENOTCONN
                ? HandsOutcome.Skip("state moved on: the socket is no longer connected", Errno.ENOTCONN)
                : HandsOutcome.Refuse(failed.Errno, $"shutdown(SHUT_WR): {failed.Errno}");
        }

        return new HandsOutcome(OutcomeKind.Released, $"FIN sent; process {pid} still holds fd {fd} (its reads return end of stream, writes EPIPE)");
    }

    /// <inheritdoc />
    public void Dispose() => _diag.Dispose();
}
