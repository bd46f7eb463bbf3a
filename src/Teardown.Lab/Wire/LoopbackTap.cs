using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using static Teardown.Linux.Interop.LinuxConstants;

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
    private const ushort EthPIpNetworkOrder = (ushort)((ETH_P_IP >> 8) | ((ETH_P_IP & 0xFF) << 8)); // htons(ETH_P_IP)

    private readonly int _fd;
    private readonly Thread _reader;
    private volatile bool _stopping;

    private LoopbackTap(int fd, string host, int generation, UserspaceWire wire)
    {
        _fd = fd;
        _reader = new Thread(() => ReadLoop(host, generation, wire)) { IsBackground = true, Name = "lo tap " + host };
    }

    /// <summary>Opens the tap in the namespace of <paramref name="ns"/> and starts recording into <paramref name="wire"/>.</summary>
    public static unsafe LoopbackTap Open(NetNsThread ns, string host, int generation, UserspaceWire wire)
    {
        int fd = ns.Invoke(() =>
        {
            int f = Libc.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, EthPIpNetworkOrder);
            if (f < 0) throw new IOException($"socket(AF_PACKET): errno {(int)Libc.LastErrno}");
            var sll = new SockAddrLl { sll_family = AF_PACKET, sll_protocol = EthPIpNetworkOrder, sll_ifindex = (int)Libc.if_nametoindex("lo") };
            if (sll.sll_ifindex == 0 || Libc.bind(f, &sll, (uint)sizeof(SockAddrLl)) != 0)
            {
                int e = (int)Libc.LastErrno;
                Libc.close(f);
                throw new IOException($"bind(AF_PACKET, lo): errno {e}");
            }

            return f;
        });
        var tap = new LoopbackTap(fd, host, generation, wire);
        tap._reader.Start();
        return tap;
    }

    private unsafe void ReadLoop(string host, int generation, UserspaceWire wire)
    {
        var buf = new byte[65536];
        var pfd = new PollFd { fd = _fd, events = POLLIN };
        while (!_stopping)
        {
            if (Libc.poll(&pfd, 1, 50) <= 0) continue;
            while (!_stopping)
            {
                SockAddrLl from = default;
                uint len = (uint)sizeof(SockAddrLl);
                nint n;
                fixed (byte* p = buf) n = Libc.recvfrom(_fd, p, (nuint)buf.Length, 0, &from, &len);
                if (n <= 0) break;
                if (from.sll_pkttype == PACKET_OUTGOING) continue; // only an ETH_P_ALL tap would see it; never twice
                try
                {
                    wire.RecordLoopback(host, buf.AsSpan(0, (int)n), generation);
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
        Libc.close(_fd);
    }
}
