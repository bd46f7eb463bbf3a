namespace Teardown.Linux.Interop;

/// <summary>
/// Numeric constants from the Linux uapi and glibc headers, each with its header. Kept internal:
/// the public API speaks in enums and records.
/// </summary>
internal static class LinuxConstants
{
    // include/linux/socket.h
    internal const int AF_UNSPEC = 0;
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int AF_NETLINK = 16;
    internal const int AF_PACKET = 17;

    // include/linux/net.h (enum sock_type) + include/linux/net.h SOCK_CLOEXEC (= O_CLOEXEC)
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int SOCK_CLOEXEC = 0x80000;

    // include/linux/socket.h: send/recv flags
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_NOSIGNAL = 0x4000;

    // include/uapi/linux/in.h
    internal const int IPPROTO_TCP = 6;

    // include/uapi/linux/tcp.h: socket options at IPPROTO_TCP
    internal const int TCP_KEEPIDLE = 4;
    internal const int TCP_KEEPINTVL = 5;
    internal const int TCP_KEEPCNT = 6;
    internal const int TCP_LINGER2 = 8;
    internal const int TCP_INFO = 11;
    internal const int TCP_USER_TIMEOUT = 18;

    // include/uapi/linux/netlink.h
    internal const int NETLINK_SOCK_DIAG = 4;
    internal const int SOL_NETLINK = 270;

    // include/uapi/asm-generic/socket.h
    internal const int SOL_SOCKET = 1;
    internal const int SO_ERROR = 4;
    internal const int SO_SNDBUF = 7;
    internal const int SO_RCVBUF = 8;
    internal const int SO_KEEPALIVE = 9;
    internal const int SO_LINGER = 13;

    // include/uapi/asm-generic/fcntl.h
    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int AT_FDCWD = -100;

    // include/uapi/linux/sched.h
    internal const int CLONE_NEWNET = 0x40000000;

    // include/uapi/linux/nsfs.h: _IO(NSIO = 0xb7, 0x3)
    internal const nuint NS_GET_NSTYPE = 0xB703;

    // include/uapi/linux/fcntl.h, include/uapi/linux/stat.h: struct statx is 256 bytes on every
    // architecture and stx_ino is the u64 at offset 32.
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_INO = 0x100;
    internal const int StatxSize = 256;
    internal const int StatxInoOffset = 32;

    // struct linux_dirent64 (include/linux/dirent.h; glibc's struct dirent64 has the same layout).
    internal const int DirentReclenOffset = 16;
    internal const int DirentNameOffset = 19;

    // include/uapi/linux/sockios.h + include/uapi/linux/if.h
    internal const nuint SIOCGIFFLAGS = 0x8913;
    internal const nuint SIOCSIFFLAGS = 0x8914;
    internal const short IFF_UP = 0x1;

    // include/uapi/linux/sockios.h: SIOCINQ = FIONREAD, SIOCOUTQ = TIOCOUTQ (asm-generic/ioctls.h)
    internal const nuint SIOCINQ = 0x541B;

    // include/uapi/asm-generic/ioctls.h: set or clear O_NONBLOCK on a descriptor (an int argument, non-zero sets).
    internal const nuint FIONBIO = 0x5421;
    internal const nuint SIOCOUTQ = 0x5411;

    // include/uapi/linux/if_tun.h: TUNSETIFF = _IOW('T', 202, int)
    internal const nuint TUNSETIFF = 0x400454ca;
    internal const short IFF_TUN = 0x0001;
    internal const short IFF_NO_PI = 0x1000;

    // include/uapi/linux/if_ether.h, include/uapi/linux/if_packet.h
    internal const ushort ETH_P_IP = 0x0800;
    internal const byte PACKET_OUTGOING = 4;

    // include/uapi/asm-generic/poll.h
    internal const short POLLIN = 0x1;
    internal const short POLLOUT = 0x4;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;
    internal const short POLLNVAL = 0x20;

    // include/uapi/asm-generic/signal.h
    internal const int SIGKILL = 9;

    // include/uapi/linux/resource.h
    internal const int PRIO_PROCESS = 0;

    // include/uapi/linux/sched.h, include/uapi/linux/time.h
    internal const int SCHED_OTHER = 0;
    internal const int SCHED_FIFO = 1;
    internal const int SCHED_RESET_ON_FORK = 0x40000000;
    internal const int CLOCK_MONOTONIC = 1;
    internal const int TIMER_ABSTIME = 1;
    internal const int EINTR = 4;
}
