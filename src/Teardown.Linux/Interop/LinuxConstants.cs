namespace Teardown.Linux.Interop;

/// <summary>
/// Numeric constants from the Linux uapi and glibc headers, each with its header. Kept internal:
/// the public API speaks in enums and records.
/// </summary>
internal static class LinuxConstants
{
    // include/linux/socket.h
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int AF_NETLINK = 16;

    // include/linux/net.h (enum sock_type) + include/linux/net.h SOCK_CLOEXEC (= O_CLOEXEC)
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;

    // include/uapi/linux/in.h
    internal const int IPPROTO_TCP = 6;

    // include/uapi/linux/netlink.h
    internal const int NETLINK_SOCK_DIAG = 4;
    internal const int SOL_NETLINK = 270;

    // include/uapi/asm-generic/socket.h
    internal const int SOL_SOCKET = 1;
    internal const int SO_RCVBUF = 8;
    internal const int SO_SNDBUF = 7;

    // include/uapi/asm-generic/fcntl.h
    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
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
}
