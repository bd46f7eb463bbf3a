using Teardown.Linux.Interop;
using Teardown.Linux.Processes;
using Teardown.Linux.Sockets;

namespace Teardown.Lab.Running;

/// <summary>
/// What the lab does to a host's agent from outside it, as <c>teardown release</c> does to a service: the agent
/// is neither asked nor stopped; the lab process duplicates its descriptor and acts on the socket.
/// </summary>
internal static class OutsideProcess
{
    /// <summary>
    /// <c>HOST release S</c>: pidfd_open(<paramref name="pid"/>) + pidfd_getfd(<paramref name="fd"/>), then
    /// shutdown(SHUT_WR) on the duplicate (net/ipv4/af_inet.c:inet_shutdown → tcp.c:tcp_shutdown) and close of
    /// the duplicate only. The first failing call's errno is the result (EBADF: no such descriptor; ESRCH: the
    /// process is gone; ENOTCONN from shutdown on a CLOSE socket).
    /// </summary>
    public static Errno ReleaseWrite(int pid, int fd)
    {
        LinuxResult<PidfdHandle> process = Pidfd.Open(pid);
        if (!process.IsOk) return process.Error!.Value.Errno;
        using PidfdHandle pidfd = process.Value;
        LinuxResult<SafeFdHandle> duplicate = Pidfd.GetFd(pidfd, fd);
        if (!duplicate.IsOk) return duplicate.Error!.Value.Errno;
        using SafeFdHandle socket = duplicate.Value;
        return SocketCalls.Shutdown(socket, ShutdownHow.Write) is { } failed ? failed.Errno : Errno.None;
    }
}
