using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary><c>struct linger</c> (sys/socket.h; include/linux/socket.h), the SO_LINGER value; the layout is checked against the header by a test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Linger
{
    public int l_onoff;
    /// <summary>Seconds.</summary>
    public int l_linger;
}
