using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// Owns a Linux file descriptor. Descriptor 0 is valid, so the invalid value is -1 (unlike
/// <see cref="Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid"/>).
/// <see cref="ReleaseHandle"/> calls <c>close(2)</c>, which never blocks for the descriptor kinds
/// used here (netlink sockets, nsfs and procfs files).
/// </summary>
public class SafeFdHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (for the P/Invoke marshaller and subclasses).</summary>
    public SafeFdHandle() : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    /// <summary>Wraps an existing descriptor.</summary>
    public SafeFdHandle(int fd, bool ownsHandle) : base(new IntPtr(-1), ownsHandle) => SetHandle(new IntPtr(fd));

    /// <inheritdoc />
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor number (valid only while the handle is alive).</summary>
    public int Fd => (int)handle.ToInt64();

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.close((int)handle.ToInt64()) == 0;
}
