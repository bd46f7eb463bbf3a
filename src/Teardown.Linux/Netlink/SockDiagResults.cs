using Teardown.Linux.Interop;

namespace Teardown.Linux.Netlink;

/// <summary>How a dump ended.</summary>
public enum DumpStatus
{
    /// <summary>NLMSG_DONE received: every socket the kernel walked was returned.</summary>
    Complete,
    /// <summary>The kernel answered with an errno (see <see cref="DumpResult.Error"/>).</summary>
    KernelError,
    /// <summary>A syscall failed (send/recv), e.g. EAGAIN on timeout or ENOBUFS on receive-queue overflow.</summary>
    SyscallError,
    /// <summary>The reply bytes were not well-formed.</summary>
    Malformed,
}

/// <summary>Outcome and cost of one dump.</summary>
/// <param name="Status">How the dump ended.</param>
/// <param name="Error">The errno when not <see cref="DumpStatus.Complete"/>.</param>
/// <param name="Records">Records appended.</param>
/// <param name="ReceiveCalls">recv() calls made.</param>
/// <param name="Bytes">Reply bytes read.</param>
/// <param name="Interrupted">NLM_F_DUMP_INTR seen: tables changed during the dump.</param>
public readonly record struct DumpResult(DumpStatus Status, LinuxError? Error, int Records, int ReceiveCalls, long Bytes, bool Interrupted)
{
    /// <summary>True when the dump completed.</summary>
    public bool IsComplete => Status == DumpStatus.Complete;
}

/// <summary>Result of an exact lookup.</summary>
public enum LookupStatus
{
    /// <summary>The socket exists; the record is filled.</summary>
    Found,
    /// <summary>No socket with this tuple (and cookie): ENOENT.</summary>
    NotFound,
    /// <summary>Another error; see the accompanying <see cref="LinuxError"/>.</summary>
    Failed,
}

/// <summary>Result of SOCK_DESTROY, mapped from the kernel's errno (net/core/sock_diag.c:sock_diag_destroy).</summary>
public enum DestroyStatus
{
    /// <summary>The kernel acknowledged: the socket was aborted (tcp_abort; the peer gets an RST for full sockets).</summary>
    Destroyed,
    /// <summary>ENOENT: no such socket, cookie mismatch, or already closed.</summary>
    Gone,
    /// <summary>EPERM/EACCES: the caller lacks CAP_NET_ADMIN over the socket's network namespace.</summary>
    PermissionDenied,
    /// <summary>EOPNOTSUPP: kernel without CONFIG_INET_DIAG_DESTROY (or a timewait socket before Linux 6.0).</summary>
    NotSupported,
    /// <summary>Another errno or a syscall failure.</summary>
    Failed,
}

/// <summary>A destroy outcome with the errno behind it.</summary>
/// <param name="Status">The mapped outcome.</param>
/// <param name="Error">The errno (null when destroyed).</param>
public readonly record struct DestroyResult(DestroyStatus Status, LinuxError? Error)
{
    /// <summary>Maps a kernel errno (None = acknowledged) to an outcome.</summary>
    public static DestroyResult FromErrno(Errno errno) => errno switch
    {
        Errno.None => new(DestroyStatus.Destroyed, null),
        Errno.ENOENT => new(DestroyStatus.Gone, new LinuxError(errno, "SOCK_DESTROY")),
        Errno.EPERM or Errno.EACCES => new(DestroyStatus.PermissionDenied, new LinuxError(errno, "SOCK_DESTROY")),
        Errno.EOPNOTSUPP => new(DestroyStatus.NotSupported, new LinuxError(errno, "SOCK_DESTROY")),
        _ => new(DestroyStatus.Failed, new LinuxError(errno, "SOCK_DESTROY")),
    };
}
