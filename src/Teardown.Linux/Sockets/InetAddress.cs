using System.Buffers.Binary;
using System.Net;

namespace Teardown.Linux.Sockets;

/// <summary>
/// An IPv4 or IPv6 address held as a value (no allocation). The 16 bytes are kept in network order
/// as two big-endian 64-bit halves (not a UInt128, whose 16-byte alignment would pad every
/// <see cref="SocketRecord"/>); an IPv4 address occupies the first 4 bytes, as in
/// <c>inet_diag_sockid.idiag_src[0]</c>.
/// </summary>
public readonly record struct InetAddress
{
    private readonly ulong _high;
    private readonly ulong _low;

    /// <summary>AF_INET (2) or AF_INET6 (10); 0 for the default value.</summary>
    public byte Family { get; }

    private InetAddress(byte family, ulong high, ulong low)
    {
        Family = family;
        _high = high;
        _low = low;
    }

    /// <summary>Builds an address from network-order bytes: 4 for IPv4, 16 for IPv6.</summary>
    public static InetAddress FromNetworkBytes(byte family, ReadOnlySpan<byte> bytes)
    {
        // The common cases read straight from the kernel's bytes (twice per socket of a dump).
        if (family == AddressFamilies.Inet && bytes.Length >= 4)
        {
            return new InetAddress(family, (ulong)BinaryPrimitives.ReadUInt32BigEndian(bytes) << 32, 0);
        }

        if (family != AddressFamilies.Inet && bytes.Length >= 16)
        {
            return new InetAddress(family, BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        }

        Span<byte> full = stackalloc byte[16];
        full.Clear();
        int length = family == AddressFamilies.Inet ? 4 : 16;
        bytes[..length].CopyTo(full);
        return new InetAddress(family, BinaryPrimitives.ReadUInt64BigEndian(full), BinaryPrimitives.ReadUInt64BigEndian(full[8..]));
    }

    /// <summary>Converts from <see cref="IPAddress"/>.</summary>
    public static InetAddress From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        byte family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? AddressFamilies.Inet
            : AddressFamilies.Inet6;
        return FromNetworkBytes(family, bytes);
    }

    /// <summary>Writes the network-order bytes (4 or 16) and returns how many were written.</summary>
    public int WriteNetworkBytes(Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(full, _high);
        BinaryPrimitives.WriteUInt64BigEndian(full[8..], _low);
        int length = Family == AddressFamilies.Inet ? 4 : 16;
        full[..length].CopyTo(destination);
        return length;
    }

    /// <summary>The IPv4 address as a number (a.b.c.d = a·2²⁴ + b·2¹⁶ + c·2⁸ + d) when <see cref="Family"/> is AF_INET; otherwise the first four bytes.</summary>
    public uint IPv4Value => (uint)(_high >> 32);

    /// <summary>Converts to <see cref="IPAddress"/> (allocates; meant for display and tests).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        int length = WriteNetworkBytes(bytes);
        return new IPAddress(bytes[..length]);
    }

    /// <inheritdoc />
    public override string ToString() => Family == 0 ? "?" : ToIPAddress().ToString();
}

/// <summary>An address and a port (host order).</summary>
/// <param name="Address">The address.</param>
/// <param name="Port">The port in host byte order.</param>
public readonly record struct InetEndpoint(InetAddress Address, ushort Port)
{
    /// <inheritdoc />
    public override string ToString() =>
        Address.Family == AddressFamilies.Inet6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>
/// A TCP connection's identity as the kernel's exact lookup sees it
/// (net/ipv4/inet_diag.c:inet_diag_find_one_icsk): local and remote endpoint, plus the bound
/// interface for IPv6 link-local addresses.
/// </summary>
/// <param name="Family">AF_INET or AF_INET6.</param>
/// <param name="Local">Local endpoint.</param>
/// <param name="Remote">Remote endpoint.</param>
/// <param name="Interface">Interface index (0 unless bound).</param>
public readonly record struct SocketTuple(byte Family, InetEndpoint Local, InetEndpoint Remote, uint Interface = 0)
{
    /// <inheritdoc />
    public override string ToString() => $"{Local} -> {Remote}";
}

/// <summary>Linux address family numbers (include/linux/socket.h). .NET's AddressFamily uses other values.</summary>
public static class AddressFamilies
{
    /// <summary>AF_INET.</summary>
    public const byte Inet = 2;
    /// <summary>AF_INET6.</summary>
    public const byte Inet6 = 10;

    /// <summary>AF_UNSPEC: to <see cref="Netlink.SockDiag.Dump(byte, TcpStateMask, Netlink.DiagExtensions, List{SocketRecord})"/>, both families in one walk.</summary>
    public const byte Unspecified = 0;
}
