using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// An errno together with the operation that produced it. Errors are values in this layer: callers
/// decide what is expected (a process vanished) and what is worth reporting.
/// </summary>
/// <param name="Errno">The kernel errno.</param>
/// <param name="Operation">Short name of the failed call, e.g. <c>"socket(AF_NETLINK)"</c>.</param>
public readonly record struct LinuxError(Errno Errno, string Operation)
{
    /// <summary>The raw errno number.</summary>
    public int Code => (int)Errno;

    /// <summary>The C library's text for the errno (strerror).</summary>
    public string Message => Marshal.GetPInvokeErrorMessage((int)Errno);

    /// <summary>True for EPERM and EACCES: the caller lacks a capability or file permission.</summary>
    public bool IsPermission => Errno is Errno.EPERM or Errno.EACCES;

    /// <summary>Captures the errno of the last P/Invoke made with <c>SetLastError = true</c>.</summary>
    public static LinuxError Last(string operation) => new((Errno)Marshal.GetLastPInvokeError(), operation);

    /// <inheritdoc />
    public override string ToString() => $"{Operation}: {Errno} ({Message})";
}
