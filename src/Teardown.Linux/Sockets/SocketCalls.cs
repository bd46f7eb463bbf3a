using Teardown.Linux.Interop;

namespace Teardown.Linux.Sockets;

/// <summary>The <c>how</c> of shutdown(2) (include/linux/net.h SHUT_RD/SHUT_WR/SHUT_RDWR).</summary>
public enum ShutdownHow
{
    /// <summary>SHUT_RD: marks the receive side shut (reads return 0); sends nothing on the wire.</summary>
    Read = 0,
    /// <summary>SHUT_WR: sends our FIN once the send queue drains (net/ipv4/tcp.c:tcp_shutdown).</summary>
    Write = 1,
    /// <summary>SHUT_RDWR: both.</summary>
    Both = 2,
}

/// <summary>shutdown(2) on any socket descriptor, e.g. one duplicated from another process.</summary>
public static class SocketCalls
{
    /// <summary>
    /// Calls shutdown(2). Unlike close, it acts on the socket itself, whoever else holds it, and
    /// never discards the receive queue (net/ipv4/af_inet.c:inet_shutdown → tcp_shutdown).
    /// </summary>
    public static LinuxError? Shutdown(SafeFdHandle socket, ShutdownHow how)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return Libc.shutdown(socket, (int)how) == 0 ? null : LinuxError.Last($"shutdown({how})");
    }
}
