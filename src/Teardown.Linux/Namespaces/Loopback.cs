using Teardown.Linux.Interop;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Namespaces;

/// <summary>Brings up <c>lo</c> in the calling thread's namespace (a new namespace starts with it down).</summary>
internal static unsafe class Loopback
{
    // struct ifreq (include/uapi/linux/if.h): char ifr_name[IFNAMSIZ = 16]; union { short ifr_flags; ... }
    // whose largest member (struct ifmap) makes the struct 40 bytes on LP64.
    private const int IfReqSize = 40;
    private const int IfNameSize = 16;

    internal static LinuxError? BringUp()
    {
        int fd = Libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return LinuxError.Last("socket(AF_INET, SOCK_DGRAM)");
        }

        try
        {
            byte* ifreq = stackalloc byte[IfReqSize];
            new Span<byte>(ifreq, IfReqSize).Clear();
            "lo"u8.CopyTo(new Span<byte>(ifreq, IfNameSize));
            if (Libc.ioctl(fd, SIOCGIFFLAGS, ifreq) != 0)
            {
                return LinuxError.Last("ioctl(SIOCGIFFLAGS lo)");
            }

            *(short*)(ifreq + IfNameSize) |= IFF_UP;
            return Libc.ioctl(fd, SIOCSIFFLAGS, ifreq) == 0 ? null : LinuxError.Last("ioctl(SIOCSIFFLAGS lo)");
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
