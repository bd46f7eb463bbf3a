using Teardown.Linux.Interop;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Netlink;

/// <summary>
/// A netlink socket descriptor. A netlink socket is bound to the network namespace of the thread
/// that created it (net/netlink/af_netlink.c:__netlink_create takes the creator's net), so open it on
/// a thread inside the namespace you want to inspect; it can then be used from any thread.
/// </summary>
public sealed class NetlinkSocketHandle : SafeFdHandle
{
    /// <summary>Invalid handle, for the marshaller.</summary>
    public NetlinkSocketHandle()
    {
    }

    private NetlinkSocketHandle(int fd) : base(fd, ownsHandle: true)
    {
    }

    /// <summary>
    /// Opens <c>socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)</c> with the given
    /// kernel receive buffer (SO_RCVBUF; the kernel doubles and caps it at net.core.rmem_max) and a
    /// receive timeout so a missing reply becomes EAGAIN instead of a hang.
    /// </summary>
    public static unsafe LinuxResult<NetlinkSocketHandle> OpenSockDiag(int receiveBufferBytes = 1 << 20, int receiveTimeoutMs = 10_000)
    {
        int fd = Libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0)
        {
            return LinuxError.Last("socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
        }

        var handle = new NetlinkSocketHandle(fd);
        int size = receiveBufferBytes;
        if (Libc.setsockopt(handle, SOL_SOCKET, SO_RCVBUF, &size, sizeof(int)) != 0)
        {
            var error = LinuxError.Last("setsockopt(SO_RCVBUF)");
            handle.Dispose();
            return error;
        }

        // struct timeval { long tv_sec; long tv_usec; } on LP64.
        long* timeval = stackalloc long[2];
        timeval[0] = receiveTimeoutMs / 1000;
        timeval[1] = receiveTimeoutMs % 1000 * 1000L;
        const int SO_RCVTIMEO = 20; // include/uapi/asm-generic/socket.h (SO_RCVTIMEO_OLD)
        if (Libc.setsockopt(handle, SOL_SOCKET, SO_RCVTIMEO, timeval, 16) != 0)
        {
            var error = LinuxError.Last("setsockopt(SO_RCVTIMEO)");
            handle.Dispose();
            return error;
        }

        return handle;
    }
}
