using Teardown.Lab.Interop;
using Teardown.Lab.Namespaces;

namespace Teardown.Lab.Wire;

/// <summary>
/// The capture of a host's loopback. A connection a host makes to its own address never reaches the TUN
/// device: the local routing table sends it over <c>lo</c>. A packet socket (AF_PACKET, SOCK_DGRAM: the
/// IP packet without a link header) bound to <c>lo</c> for ETH_P_IP inside the host's namespace sees each
/// such packet once, as it is received (net/core/dev.c: the transmit-side copy, PACKET_OUTGOING, goes only to
/// ETH_P_ALL taps), and records it on the wire as sent by the host to itself. Nothing is delayed or dropped:
/// loopback is not part of the scenario network.
/// </summary>
internal sealed class LoopbackTap : IDisposable
{
    private const ushort EthPIpNetworkOrder = 0x0008; // htons(ETH_P_IP)
    private const byte PacketOutgoing = 4;            // if_packet.h: PACKET_OUTGOING

    private readonly int _fd;
    private readonly Thread _reader;
    private volatile bool _stopping;

    private LoopbackTap(int fd, string host, UserspaceWire wire)
    {
        _fd = fd;
        _reader = new Thread(() => ReadLoop(host, wire)) { IsBackground = true, Name = "lo tap " + host };
    }

    /// <summary>Opens the tap in the namespace of <paramref name="ns"/> and starts recording into <paramref name="wire"/>.</summary>
    public static unsafe LoopbackTap Open(NamespaceThread ns, string host, UserspaceWire wire)
    {
        int fd = ns.Invoke(() =>
        {
            int f = Libc.Socket(Libc.AF_PACKET, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, EthPIpNetworkOrder);
            if (f < 0) throw new IOException($"socket(AF_PACKET): errno {Libc.Errno}");
            var sll = new SockAddrLl { Family = Libc.AF_PACKET, Protocol = EthPIpNetworkOrder, IfIndex = (int)Libc.IfNameToIndex("lo") };
            if (sll.IfIndex == 0 || Libc.Bind(f, &sll, sizeof(SockAddrLl)) != 0)
            {
                int e = Libc.Errno;
                Libc.Close(f);
                throw new IOException($"bind(AF_PACKET, lo): errno {e}");
            }

            return f;
        });
        var tap = new LoopbackTap(fd, host, wire);
        tap._reader.Start();
        return tap;
    }

    private unsafe void ReadLoop(string host, UserspaceWire wire)
    {
        var buf = new byte[65536];
        var pfd = new PollFd { Fd = _fd, Events = Libc.POLLIN };
        while (!_stopping)
        {
            if (Libc.Poll(&pfd, 1, 50) <= 0) continue;
            while (!_stopping)
            {
                SockAddrLl from = default;
                int len = sizeof(SockAddrLl);
                nint n;
                fixed (byte* p = buf) n = Libc.RecvFrom(_fd, p, buf.Length, 0, &from, &len);
                if (n <= 0) break;
                if (from.PacketType == PacketOutgoing) continue; // only an ETH_P_ALL tap would see it; never twice
                try
                {
                    wire.RecordLoopback(host, buf.AsSpan(0, (int)n));
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException)
                {
                    // A malformed packet is simply not recorded.
                }
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _reader.Join(TimeSpan.FromSeconds(2));
        Libc.Close(_fd);
    }
}
