using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Linux.Tests.Support;

/// <summary>One TCP segment seen on the wire: ports and the flags byte (FIN 1, SYN 2, RST 4, PSH 8, ACK 16).</summary>
internal readonly record struct Segment(ushort SourcePort, ushort DestinationPort, byte Flags, int PayloadBytes)
{
    internal bool Fin => (Flags & 0x01) != 0;
    internal bool Rst => (Flags & 0x04) != 0;

    public override string ToString() =>
        $"{SourcePort}->{DestinationPort} {(Fin ? "F" : "")}{((Flags & 2) != 0 ? "S" : "")}{(Rst ? "R" : "")}{((Flags & 8) != 0 ? "P" : "")}{((Flags & 16) != 0 ? "." : "")} len {PayloadBytes}";
}

/// <summary>
/// A packet socket (AF_PACKET, SOCK_DGRAM, ETH_P_ALL) on one interface of a namespace that keeps only
/// the transmit-side copies (PACKET_OUTGOING): every IPv4 TCP segment the namespace sends on that
/// interface, once, including those a dead peer will never receive. Read without blocking.
/// </summary>
internal sealed unsafe class WireTap : IDisposable
{
    private const ushort EthPAllNetworkOrder = 0x0300; // htons(ETH_P_ALL = 3)
    private readonly int _fd;

    private WireTap(int fd) => _fd = fd;

    internal static WireTap Open(NetNsHandle ns, string device)
    {
        var fd = NetNs.Run(ns, () =>
        {
            int f = Libc.socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, EthPAllNetworkOrder);
            Assert.True(f >= 0, $"socket(AF_PACKET): {Libc.LastErrno}");
            var sll = new SockAddrLl { sll_family = AF_PACKET, sll_protocol = EthPAllNetworkOrder, sll_ifindex = (int)Libc.if_nametoindex(device) };
            Assert.True(Libc.bind(f, &sll, (uint)sizeof(SockAddrLl)) == 0, $"bind(AF_PACKET, {device}): {Libc.LastErrno}");
            return f;
        });
        Assert.True(fd.IsOk, fd.Error?.ToString());
        return new WireTap(fd.Value);
    }

    /// <summary>Everything captured since the last call, between the two ports (either direction).</summary>
    internal List<Segment> Take(int portA, int portB)
    {
        var segments = new List<Segment>();
        var buffer = new byte[65536];
        while (true)
        {
            SockAddrLl from = default;
            uint length = (uint)sizeof(SockAddrLl);
            nint n;
            fixed (byte* p = buffer)
            {
                n = Libc.recvfrom(_fd, p, (nuint)buffer.Length, MSG_DONTWAIT, &from, &length);
            }

            if (n <= 0)
            {
                return segments;
            }

            if (from.sll_pkttype != PACKET_OUTGOING || n < 40 || (buffer[0] >> 4) != 4 || buffer[9] != IPPROTO_TCP)
            {
                continue;
            }

            int ipHeader = (buffer[0] & 0xF) * 4;
            int total = (buffer[2] << 8) | buffer[3];
            int tcpHeader = (buffer[ipHeader + 12] >> 4) * 4;
            var segment = new Segment(
                (ushort)((buffer[ipHeader] << 8) | buffer[ipHeader + 1]),
                (ushort)((buffer[ipHeader + 2] << 8) | buffer[ipHeader + 3]),
                buffer[ipHeader + 13],
                total - ipHeader - tcpHeader);
            if ((segment.SourcePort == portA && segment.DestinationPort == portB) || (segment.SourcePort == portB && segment.DestinationPort == portA))
            {
                segments.Add(segment);
            }
        }
    }

    public void Dispose() => Libc.close(_fd);
}
