using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// Thin, blittable P/Invoke declarations for the glibc calls this layer needs. Names and argument
/// order follow the C prototypes; every call that can fail sets errno, captured through
/// <c>SetLastError = true</c> and read with <see cref="LinuxError.Last"/>.
/// </summary>
/// <remarks>
/// glibc is loaded by its soname because the unversioned <c>libc.so</c> is a linker script on
/// hosts with development headers installed, which <c>dlopen</c> rejects.
/// </remarks>
internal static unsafe partial class Libc
{
    private const string Library = "libc.so.6";

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int bind(SafeHandle sockfd, void* addr, uint addrlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint sendto(SafeHandle sockfd, void* buf, nuint len, int flags, void* destAddr, uint addrlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint recv(SafeHandle sockfd, void* buf, nuint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setsockopt(SafeHandle sockfd, int level, int optname, void* optval, uint optlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int getsockopt(SafeHandle sockfd, int level, int optname, void* optval, uint* optlen);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int close(int fd);

    // open(2) is variadic in C; with integer-only arguments the x86-64/arm64 calling conventions
    // pass the optional mode exactly like a fixed third argument.
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int open(byte* pathname, int flags, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int openat(int dirfd, byte* pathname, int flags, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint read(int fd, byte* buf, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint getdents64(int fd, byte* dirp, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint readlinkat(int dirfd, byte* pathname, byte* buf, nuint bufsiz);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setns(SafeHandle fd, int nstype);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int unshare(int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* argp);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int statx(int dirfd, byte* pathname, int flags, uint mask, byte* statxbuf);

    // syscall(2) is variadic; integer arguments are passed like fixed ones on x86-64 and arm64 Linux
    // (see open above). For system calls glibc has no wrapper for on every supported version.
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long syscall(long number, long arg1, long arg2, long arg3);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int shutdown(SafeHandle sockfd, int how);

    [LibraryImport(Library)]
    internal static partial uint geteuid();

    [LibraryImport(Library)]
    internal static partial uint getuid();

    [LibraryImport(Library)]
    internal static partial int gettid();
}
