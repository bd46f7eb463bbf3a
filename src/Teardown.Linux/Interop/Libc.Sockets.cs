using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// Socket, descriptor and poll calls on raw descriptors, for callers that must perform exactly the call
/// a scenario names (the lab's agent, TUN device and loopback tap): no SafeHandle, no System.Net.Sockets,
/// which changes blocking modes and socket options behind the caller's back. Each call returns -1 and
/// sets errno on failure; read it with <see cref="LastErrno"/> or <see cref="LinuxError.Last"/>.
/// </summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int bind(int sockfd, void* addr, uint addrlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int listen(int sockfd, int backlog);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int connect(int sockfd, void* addr, uint addrlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int accept4(int sockfd, void* addr, uint* addrlen, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint send(int sockfd, void* buf, nuint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint recv(int sockfd, void* buf, nuint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint recvfrom(int sockfd, void* buf, nuint len, int flags, void* srcAddr, uint* addrlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int shutdown(int sockfd, int how);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setsockopt(int sockfd, int level, int optname, void* optval, uint optlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int getsockopt(int sockfd, int level, int optname, void* optval, uint* optlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int getsockname(int sockfd, void* addr, uint* addrlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int getpeername(int sockfd, void* addr, uint* addrlen);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint if_nametoindex(string ifname);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int dup3(int oldfd, int newfd, int flags);

    // See open(byte*, ...) in Libc.cs for why the variadic mode may be passed as a fixed argument.
    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string pathname, int flags, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int kill(int pid, int sig);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setpriority(int which, uint who, int prio);

    /// <summary>The errno of the last call on this thread made with <c>SetLastError = true</c>.</summary>
    internal static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();
}
