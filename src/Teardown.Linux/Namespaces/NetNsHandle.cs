using Teardown.Linux.Interop;

namespace Teardown.Linux.Namespaces;

/// <summary>
/// An open nsfs file for a network namespace (<c>/proc/PID/ns/net</c>, <c>/run/netns/NAME</c>, or
/// <c>/proc/thread-self/ns/net</c>). Holding it keeps the namespace alive even when no process is
/// inside (fs/nsfs.c); disposing the last reference lets the kernel tear the namespace down.
/// </summary>
public sealed class NetNsHandle : SafeFdHandle
{
    /// <summary>Invalid handle, for the marshaller.</summary>
    public NetNsHandle()
    {
    }

    internal NetNsHandle(int fd) : base(fd, ownsHandle: true)
    {
    }

    /// <summary>The namespace's inode number (identity), as in <c>net:[4026531840]</c>.</summary>
    public ulong Inode { get; internal set; }

    /// <summary>Opens a namespace file such as <c>/proc/1/ns/net</c> or <c>/run/netns/blue</c>.</summary>
    public static LinuxResult<NetNsHandle> Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fd = ProcFs.OpenReadOnly(path);
        if (!fd.IsOk)
        {
            return fd.Error.Value;
        }

        var handle = new NetNsHandle(fd.Value);
        var inode = ProcFs.ReadNamespaceInodeOfFd(fd.Value);
        if (!inode.IsOk)
        {
            handle.Dispose();
            return inode.Error.Value;
        }

        handle.Inode = inode.Value;
        return handle;
    }
}
