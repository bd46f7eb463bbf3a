using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// <c>struct sockaddr_in</c> (netinet/in.h; include/uapi/linux/in.h), 16 bytes, with port and address
/// in network byte order as the kernel wants them. The layout is checked against the header by a test.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrIn
{
    public ushort sin_family;
    public ushort sin_port;
    public uint sin_addr;
    public ulong sin_zero;

    public static SockAddrIn From(IPEndPoint ep)
    {
        Span<byte> b = stackalloc byte[4];
        ep.Address.TryWriteBytes(b, out _);
        return new SockAddrIn
        {
            sin_family = LinuxConstants.AF_INET,
            sin_port = BinaryPrimitives.ReverseEndianness((ushort)ep.Port),
            sin_addr = MemoryMarshal.Read<uint>(b),
        };
    }

    public readonly IPEndPoint ToEndPoint()
    {
        Span<byte> b = stackalloc byte[4];
        MemoryMarshal.Write(b, in sin_addr);
        return new IPEndPoint(new IPAddress(b), BinaryPrimitives.ReverseEndianness(sin_port));
    }
}
