using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Teardown.Lab.Interop;

/// <summary>struct sockaddr_in, with port and address in network byte order as the kernel wants them.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct SockAddrIn
{
    public ushort Family;
    public ushort PortBe;
    public uint AddrBe;
    public ulong Zero;

    public static SockAddrIn From(IPEndPoint ep)
    {
        Span<byte> b = stackalloc byte[4];
        ep.Address.TryWriteBytes(b, out _);
        return new SockAddrIn
        {
            Family = Libc.AF_INET,
            PortBe = BinaryPrimitives.ReverseEndianness((ushort)ep.Port),
            AddrBe = MemoryMarshal.Read<uint>(b),
        };
    }

    public readonly IPEndPoint ToEndPoint()
    {
        Span<byte> b = stackalloc byte[4];
        MemoryMarshal.Write(b, in AddrBe);
        return new IPEndPoint(new IPAddress(b), BinaryPrimitives.ReverseEndianness(PortBe));
    }
}
