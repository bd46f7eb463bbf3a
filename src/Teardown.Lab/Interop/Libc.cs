using System.Runtime.InteropServices;

namespace Teardown.Lab.Interop;

/// <summary>
/// Raw libc system calls used by the lab and its agents. Deliberately not System.Net.Sockets:
/// that layer changes blocking modes and socket options behind our back, and the lab must do exactly
/// what the scenario says. Every call returns -1 and sets errno (read with Marshal.GetLastPInvokeError).
/// </summary>
internal static partial class Libc
{
    private const string Lib = "libc";

    public const int AF_INET = 2;
    public const ushort AF_PACKET = 17;
    public const int AF_NETLINK = 16;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int IPPROTO_TCP = 6;
    public const int NETLINK_SOCK_DIAG = 4;

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_ERROR = 4;
    public const int SO_KEEPALIVE = 9;
    public const int SO_LINGER = 13;
    public const int SO_RCVTIMEO = 20;

    public const int TCP_KEEPIDLE = 4;
    public const int TCP_KEEPINTVL = 5;
    public const int TCP_KEEPCNT = 6;
    public const int TCP_LINGER2 = 8;
    public const int TCP_INFO = 11;
    public const int TCP_USER_TIMEOUT = 18;

    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;

    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int O_RDONLY = 0;

    public const int CLONE_NEWNET = 0x40000000;
    public const short POLLIN = 1;

    public const int SIGKILL = 9;

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static unsafe partial int Bind(int fd, void* addr, int len);

    [LibraryImport(Lib, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport(Lib, EntryPoint = "connect", SetLastError = true)]
    public static unsafe partial int Connect(int fd, void* addr, int len);

    [LibraryImport(Lib, EntryPoint = "accept4", SetLastError = true)]
    public static unsafe partial int Accept4(int fd, void* addr, int* len, int flags);

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, void* buf, nint len, int flags);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(int fd, void* buf, nint len, int flags);

    [LibraryImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static unsafe partial nint SendTo(int fd, void* buf, nint len, int flags, void* addr, int addrLen);

    [LibraryImport(Lib, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Lib, EntryPoint = "recvfrom", SetLastError = true)]
    public static unsafe partial nint RecvFrom(int fd, void* buf, nint len, int flags, void* addr, int* addrLen);

    [LibraryImport(Lib, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport(Lib, EntryPoint = "dup3", SetLastError = true)]
    public static partial int Dup3(int oldFd, int newFd, int flags);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, int len);

    [LibraryImport(Lib, EntryPoint = "getsockopt", SetLastError = true)]
    public static unsafe partial int GetSockOpt(int fd, int level, int name, void* value, int* len);

    [LibraryImport(Lib, EntryPoint = "getsockname", SetLastError = true)]
    public static unsafe partial int GetSockName(int fd, void* addr, int* len);

    [LibraryImport(Lib, EntryPoint = "getpeername", SetLastError = true)]
    public static unsafe partial int GetPeerName(int fd, void* addr, int* len);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, void* buf, nint len);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, void* buf, nint len);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int Ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    [LibraryImport(Lib, EntryPoint = "gettid")]
    public static partial int GetTid();

    /// <summary>The errno of the last call on this thread.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();
}

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short REvents;
}

/// <summary>struct linger (include/uapi/linux/socket.h via asm-generic).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Linger
{
    public int OnOff;
    public int Seconds;
}
