using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary><c>struct pollfd</c> (poll.h; include/uapi/asm-generic/poll.h); the layout is checked against the header by a test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int fd;
    public short events;
    public short revents;
}
