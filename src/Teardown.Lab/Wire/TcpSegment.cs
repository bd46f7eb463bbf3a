using System.Buffers.Binary;
using System.Net;
using Teardown.Model;

namespace Teardown.Lab.Wire;

/// <summary>The fields of one IPv4 TCP segment the lab records (raw, absolute sequence numbers).</summary>
public sealed record TcpSegment(
    IPEndPoint Source,
    IPEndPoint Destination,
    uint Seq,
    uint Ack,
    TcpFlags Flags,
    ushort Window,
    int PayloadLength);

/// <summary>Parses IPv4 packets as read from a TUN device opened with IFF_NO_PI (no packet-info prefix).</summary>
public static class PacketParser
{
    /// <summary>The IPv4 destination address of a packet, or null if it is not IPv4.</summary>
    public static IPAddress? Destination(ReadOnlySpan<byte> packet) =>
        packet.Length >= 20 && packet[0] >> 4 == 4 ? new IPAddress(packet.Slice(16, 4)) : null;

    /// <summary>The IPv4 source address of a packet, or null if it is not IPv4.</summary>
    public static IPAddress? Source(ReadOnlySpan<byte> packet) =>
        packet.Length >= 20 && packet[0] >> 4 == 4 ? new IPAddress(packet.Slice(12, 4)) : null;

    /// <summary>
    /// Parses an IPv4 packet carrying TCP; returns null for anything else (IPv6, ICMP, fragments other
    /// than the first, or truncated headers). Only the first 6 flag bits are kept (CWR/ECE are not part
    /// of the scenario notation).
    /// </summary>
    public static TcpSegment? TryParse(ReadOnlySpan<byte> p)
    {
        if (p.Length < 20 || p[0] >> 4 != 4) return null;
        int ihl = (p[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
        if (ihl < 20 || total < ihl + 20 || total > p.Length || p[9] != Linux.Interop.LinuxConstants.IPPROTO_TCP) return null;
        if ((BinaryPrimitives.ReadUInt16BigEndian(p[6..]) & 0x1FFF) != 0) return null; // non-first fragment
        ReadOnlySpan<byte> t = p[ihl..total];
        int doff = (t[12] >> 4) * 4;
        if (doff < 20 || doff > t.Length) return null;
        var src = new IPAddress(p.Slice(12, 4));
        var dst = new IPAddress(p.Slice(16, 4));
        return new TcpSegment(
            new IPEndPoint(src, BinaryPrimitives.ReadUInt16BigEndian(t)),
            new IPEndPoint(dst, BinaryPrimitives.ReadUInt16BigEndian(t[2..])),
            BinaryPrimitives.ReadUInt32BigEndian(t[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(t[8..]),
            (TcpFlags)(t[13] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(t[14..]),
            t.Length - doff);
    }
}
