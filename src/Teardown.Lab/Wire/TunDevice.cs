using System.Runtime.InteropServices;
using System.Text;
using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Lab.Wire;

/// <summary>
/// A TUN device (IFF_TUN | IFF_NO_PI) inside a host's namespace: the host's end of the user-space wire.
/// The device is created in the netns of the thread that opens /dev/net/tun (drivers/net/tun.c:tun_chr_open
/// records current's netns), hence <see cref="NetNsThread"/>. A reader thread hands every packet the
/// host sends to the wire; <see cref="Deliver"/> writes packets into the host's stack.
/// </summary>
internal sealed class TunDevice : IWirePort, IDisposable
{
    /// <summary>Name of the device inside every host namespace.</summary>
    public const string DeviceName = "td0";

    private readonly int _fd;
    private readonly Thread _reader;
    private readonly Lock _writeLock = new();

    // Whoever reads the device — its reader thread, or a delivery taking the replies (TakeReplies) — holds this while
    // it reads and hands packets to the wire, so that the host's packets reach the wire in the order it sent them.
    private readonly Lock _readLock = new();
    private readonly byte[] _replyBuffer = new byte[65536];
    private readonly string _host;
    private readonly int _generation;
    private readonly UserspaceWire _wire;
    private long _taken;
    private volatile bool _stopping;

    // Replies taking replies (a SYN-ACK's ACK, and so on): bounded per thread, the reader catches up with the rest.
    [ThreadStatic] private static int t_replyDepth;
    private const int MaxReplyDepth = 3;

    private TunDevice(int fd, string host, int generation, UserspaceWire wire, bool realTime)
    {
        _fd = fd;
        _host = host;
        _generation = generation;
        _wire = wire;
        _reader = new Thread(() => ReadLoop(host, generation, wire, realTime)) { IsBackground = true, Name = "tun " + host };
    }

    /// <summary>Creates the device inside the namespace of <paramref name="ns"/> and starts feeding <paramref name="wire"/>.</summary>
    public static unsafe TunDevice Open(NetNsThread ns, string host, int generation, UserspaceWire wire, bool realTime = true)
    {
        int fd = ns.Invoke(() =>
        {
            int f = Libc.open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
            if (f < 0) throw new IOException($"open /dev/net/tun: errno {(int)Libc.LastErrno}");
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            Encoding.ASCII.GetBytes(DeviceName, new Span<byte>(ifr, 15));
            *(short*)(ifr + 16) = IFF_TUN | IFF_NO_PI;
            if (Libc.ioctl(f, TUNSETIFF, ifr) != 0)
            {
                int e = (int)Libc.LastErrno;
                Libc.close(f);
                throw new IOException($"TUNSETIFF: errno {e}");
            }

            return f;
        });
        var dev = new TunDevice(fd, host, generation, wire, realTime);

        // An empty write (the device refuses it: EINVAL) compiles the delivery path now, not at the first SYN.
        dev.Deliver([]);
        dev._reader.Start();
        return dev;
    }

    public unsafe void Deliver(ReadOnlySpan<byte> packet)
    {
        // Under the lock so that Dispose cannot close the descriptor (and the number be reused) mid-write.
        lock (_writeLock)
        {
            if (_stopping) return;
            fixed (byte* p = packet) Libc.write(_fd, p, (nuint)packet.Length);
        }
    }

    /// <summary>
    /// Reads what the host's stack queued on the device while a packet was written into it — tun_get_user hands the
    /// packet to the stack inside the write (netif_rx, processed before the write returns), so a SYN-ACK or an ACK is
    /// already queued — and puts it on the wire from this thread. Without it a handshake over a zero-delay link waited
    /// for two reader threads to wake (0.8–3 ms on the 2-core VM, issue 11's bound is 1 ms). Skipped while another
    /// thread reads the device (it takes them, in order) and beyond <see cref="MaxReplyDepth"/> nested deliveries.
    /// </summary>
    public unsafe void TakeReplies()
    {
        if (_stopping || t_replyDepth >= MaxReplyDepth || _readLock.IsHeldByCurrentThread || !_readLock.TryEnter()) return;
        t_replyDepth++;
        try
        {
            while (!_stopping)
            {
                nint n;
                fixed (byte* p = _replyBuffer) n = Libc.read(_fd, p, (nuint)_replyBuffer.Length);
                if (n <= 0) break;
                Interlocked.Increment(ref _taken);
                HandToWire(_wire, _host, _generation, _replyBuffer.AsSpan(0, (int)n));
            }
        }
        finally
        {
            t_replyDepth--;
            _readLock.Exit();
        }
    }

    private static void HandToWire(UserspaceWire wire, string host, int generation, ReadOnlySpan<byte> packet)
    {
        try
        {
            wire.Ingress(host, packet, generation);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            // A malformed packet must not take the lab down; the wire simply does not carry it.
        }
    }

    private unsafe void ReadLoop(string host, int generation, UserspaceWire wire, bool realTime)
    {
        // Real-time when the run plays alone: a normal thread's wake-up on this VM takes 60 µs on average and up to
        // 2 ms (cyclictest: SCHED_OTHER max 1.6–1.9 ms, SCHED_FIFO max 0.06–0.4 ms), and a handshake over a zero-delay
        // link waits for two of them (issue 11: handshakes of 1–3 ms on an idle machine at nice -10). Not beside other
        // runs: see KernelTargetOptions.RealTime (the runtime's suspension for a GC livelocks with more real-time
        // readers than cores). A real-time thread must never spin on its own either: hence the rests below.
        SchedulingBoost.RealTimeIf(realTime, SchedulingBoost.WirePriority);
        var buf = new byte[65536];
        var pfd = new PollFd { fd = _fd, events = POLLIN };
        int emptyWakeups = 0;
        long takenBefore = 0;
        while (!_stopping)
        {
            // Poll with a short timeout only so that Dispose can stop the loop; a packet wakes poll at once.
            int ready = Libc.poll(&pfd, 1, 50);
            if (ready == 0) continue;
            if (ready < 0 || (pfd.revents & POLLIN) == 0)
            {
                // Not a packet (an error, a signal, an odd wake-up): rest before polling again.
                Thread.Sleep(1);
                continue;
            }

            if ((pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
            {
                // The device is gone or broken (its namespace deleted under it): poll would answer at once forever.
                // Wait for Dispose instead.
                Thread.Sleep(10);
                continue;
            }

            int read = 0;
            lock (_readLock)
            {
                while (!_stopping)
                {
                    nint n;
                    fixed (byte* p = buf) n = Libc.read(_fd, p, (nuint)buf.Length);
                    if (n <= 0)
                    {
                        if (n < 0 && Libc.LastErrno != Errno.EAGAIN) Thread.Sleep(10);
                        break;
                    }

                    read++;
                    HandToWire(wire, host, generation, buf.AsSpan(0, (int)n));
                }
            }

            // A delivery took what woke us (TakeReplies): an empty wake-up that is no fault of the device.
            long taken = Volatile.Read(ref _taken);
            if (read == 0 && taken != takenBefore) read = -1;
            takenBefore = taken;

            // Readable, yet nothing to read, twice in a row: never let that become a loop (rest 1 ms).
            emptyWakeups = read == 0 ? emptyWakeups + 1 : 0;
            if (emptyWakeups >= 2)
            {
                Thread.Sleep(1);
                emptyWakeups = 0;
            }
        }
    }

    public void Dispose()
    {
        lock (_writeLock) _stopping = true;
        _reader.Join(TimeSpan.FromSeconds(2));

        // Not while a delivery on another thread is taking replies from it (the number could be reused mid-read).
        lock (_readLock) Libc.close(_fd);
    }
}
