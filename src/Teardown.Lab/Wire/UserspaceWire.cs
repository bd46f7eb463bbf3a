using System.Net;

namespace Teardown.Lab.Wire;

/// <summary>
/// The network between a scenario's hosts, carried in user space: every IP packet a host sends is taken
/// from its port, recorded with its time, then discarded (drop rule, crashed or unknown destination) or
/// handed to the destination host after the one-way delay of that direction. Packets of one direction
/// keep their order for a constant delay. Thread-safe: hosts' readers call <see cref="Ingress"/>.
/// </summary>
public sealed class UserspaceWire : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Attached> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), TimeSpan> _delays = [];
    private readonly HashSet<(string, string)> _drops = [];
    private readonly List<WirePacket> _captured = [];
    private readonly Dictionary<(string, string), int> _inFlight = [];
    // One delay line per destination, each with its own scheduler thread: delivering a packet runs the receiver's
    // stack inside the write (tun_get_user → netif_receive_skb, 0.1–0.4 ms here), so two packets due at once
    // towards different hosts (FINs crossing) must not wait for each other.
    private readonly Dictionary<string, PriorityQueue<Pending, (long Due, long Seq)>> _queues = new(StringComparer.Ordinal);
    private readonly List<Thread> _schedulers = [];
    private readonly Func<long> _clock;
    private long _seq;

    /// <summary>
    /// How long before a delayed packet's due time the scheduler stops sleeping and spins (see MonotonicSleep): waking
    /// an idle virtual CPU took up to 0.6 ms on the 2-core VM, against a bound of 0.2 ms beyond the link's delay.
    /// </summary>
    private const long SpinNs = 600_000;
    private bool _disposed;

    private readonly bool _realTime;

    /// <summary>Creates a wire; <paramref name="clock"/> gives CLOCK_MONOTONIC ns (injectable for tests).</summary>
    /// <param name="clock">CLOCK_MONOTONIC in ns, by default the real one.</param>
    /// <param name="realTime">Whether the schedulers run SCHED_FIFO (see KernelTargetOptions.RealTime).</param>
    public UserspaceWire(Func<long>? clock = null, bool realTime = true)
    {
        _clock = clock ?? MonotonicClock.NowNs;
        _realTime = realTime;
    }

    /// <summary>Every packet taken from a sender so far, in the order taken.</summary>
    public IReadOnlyList<WirePacket> Captured
    {
        get
        {
            lock (_lock) return _captured.ToArray();
        }
    }

    /// <summary>
    /// Connects a host at an address; packets addressed to it are handed to <paramref name="port"/>. Only packets
    /// its boot <paramref name="generation"/> sends are taken from it: after a reboot the crashed boot, still being
    /// destroyed (its sockets reset by SOCK_DESTROY), is no longer that host on the wire.
    /// </summary>
    public void Attach(string host, IPAddress address, IWirePort port, int generation = 0)
    {
        lock (_lock)
        {
            _hosts[host] = new Attached(address, port, generation);
            if (!_queues.ContainsKey(host))
            {
                var queue = new PriorityQueue<Pending, (long Due, long Seq)>();
                _queues[host] = queue;
                var scheduler = new Thread(() => RunScheduler(queue)) { IsBackground = true, Name = "wire to " + host };
                _schedulers.Add(scheduler);
                scheduler.Start();
            }
        }
    }

    /// <summary>
    /// Disconnects a host (crash): from now on nothing it sends is taken or recorded, and packets to it are
    /// dropped, also those already in flight that arrive before it is attached again (a reboot's fresh kernel
    /// receives those that arrive after, as on the model).
    /// </summary>
    public void Detach(string host)
    {
        lock (_lock) _hosts.Remove(host);
    }

    /// <summary>True while the host is attached.</summary>
    public bool IsAttached(string host)
    {
        lock (_lock) return _hosts.ContainsKey(host);
    }

    /// <summary>Sets the one-way delay from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void SetDelay(string from, string to, TimeSpan delay)
    {
        lock (_lock) _delays[(from, to)] = delay;
    }

    /// <summary>Starts (or stops) dropping every packet from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void SetDrop(string from, string to, bool drop)
    {
        lock (_lock)
        {
            if (drop) _drops.Add((from, to));
            else _drops.Remove((from, to));
        }
    }

    /// <summary>
    /// Takes one packet sent by boot <paramref name="generation"/> of <paramref name="from"/>. Records it, then
    /// drops, delivers at once (zero delay, nothing queued) or queues it for the scheduler.
    /// </summary>
    public void Ingress(string from, ReadOnlySpan<byte> packet, int generation = 0)
    {
        long now = _clock();
        IPAddress? dst = PacketParser.Destination(packet);
        if (dst is null) return; // not IPv4 (e.g. IPv6 router solicitations): not part of the scenario network
        IWirePort? deliverNow = null;
        WirePacket record;
        lock (_lock)
        {
            // A crashed host sends nothing, nor does a crashed boot of a host rebooted since.
            if (_disposed || !_hosts.TryGetValue(from, out Attached? sender) || sender.Generation != generation) return;
            string? to = null;
            foreach (KeyValuePair<string, Attached> h in _hosts)
            {
                if (h.Value.Address.Equals(dst)) { to = h.Key; break; }
            }

            bool dropped = to is null || _drops.Contains((from, to));
            record = new WirePacket(now, from, to, PacketParser.TryParse(packet), dropped, packet.Length);
            _captured.Add(record);
            if (dropped) return;
            TimeSpan delay = _delays.GetValueOrDefault((from, to!));
            record.DueNs = now + (delay.Ticks * 100);
            // Zero delay goes straight through unless earlier packets of the same direction are still
            // queued (after a delay was lowered): a direction never reorders its own packets.
            if (delay <= TimeSpan.Zero && _inFlight.GetValueOrDefault((from, to!)) == 0)
            {
                deliverNow = _hosts[to!].Port;
            }
            else
            {
                long due = now + delay.Ticks * 100;
                _queues[to!].Enqueue(new Pending(record, packet.ToArray(), to!), (due, _seq++));
                _inFlight[(from, to!)] = _inFlight.GetValueOrDefault((from, to!)) + 1;
                Monitor.PulseAll(_lock);
            }
        }

        if (deliverNow is not null)
        {
            record.DeliveredNs = _clock();
            deliverNow.Deliver(packet);
            deliverNow.TakeReplies();
        }
    }

    /// <summary>
    /// Records a packet a host sent to itself over its loopback (<see cref="LoopbackTap"/>): captured like any
    /// other, never delayed, dropped or delivered — the host's own stack carries it.
    /// </summary>
    public void RecordLoopback(string host, ReadOnlySpan<byte> packet, int generation = 0)
    {
        long now = _clock();
        if (PacketParser.Destination(packet) is null) return;
        lock (_lock)
        {
            if (_disposed || !_hosts.TryGetValue(host, out Attached? h) || h.Generation != generation) return;
            _captured.Add(new WirePacket(now, host, host, PacketParser.TryParse(packet), false, packet.Length) { DueNs = now, DeliveredNs = now });
        }
    }

    /// <summary>
    /// Carries two synthetic segments between two throw-away hosts — one delivered at once, one through the
    /// scheduler — and forgets them, so that the first real packet of a run does not pay for JIT compilation
    /// and first-use allocation on the wire's path (1.5–3 ms measured for a SYN otherwise).
    /// </summary>
    public void WarmUp()
    {
        var a = new IPAddress([0, 0, 0, 1]);
        var b = new IPAddress([0, 0, 0, 2]);
        using var port = new WarmUpPort();
        Attach("\u0001warm-a", a, port);
        Attach("\u0001warm-b", b, port);
        SetDelay("\u0001warm-b", "\u0001warm-a", TimeSpan.FromTicks(1));
        Ingress("\u0001warm-a", WarmUpSegment(a, b));
        Ingress("\u0001warm-b", WarmUpSegment(b, a));
        port.Delivered.Wait(TimeSpan.FromSeconds(1));
        _ = Captured;
        lock (_lock)
        {
            _hosts.Remove("\u0001warm-a");
            _hosts.Remove("\u0001warm-b");
            _delays.Clear();
            _captured.Clear();
        }
    }

    private static byte[] WarmUpSegment(IPAddress from, IPAddress to)
    {
        var p = new byte[40];
        p[0] = 0x45;
        p[3] = 40;
        p[8] = 64;
        p[9] = (byte)Linux.Interop.LinuxConstants.IPPROTO_TCP;
        from.TryWriteBytes(p.AsSpan(12), out _);
        to.TryWriteBytes(p.AsSpan(16), out _);
        p[21] = 1;
        p[23] = 2;
        p[32] = 0x50;
        p[33] = 0x02;
        return p;
    }

    private sealed class WarmUpPort : IWirePort, IDisposable
    {
        public CountdownEvent Delivered { get; } = new(2);

        public void Dispose() => Delivered.Dispose();

        public void Deliver(ReadOnlySpan<byte> packet)
        {
            if (!Delivered.IsSet) Delivered.Signal();
        }
    }

    private void RunScheduler(PriorityQueue<Pending, (long Due, long Seq)> queue)
    {
        Linux.Interop.SchedulingBoost.RealTimeIf(_realTime, Linux.Interop.SchedulingBoost.WirePriority);
        while (true)
        {
            Pending? next = null;
            IWirePort? port = null;
            lock (_lock)
            {
                while (!_disposed)
                {
                    if (queue.TryPeek(out Pending? p, out (long Due, long Seq) key))
                    {
                        long wait = key.Due - _clock();
                        if (wait <= 0)
                        {
                            next = queue.Dequeue();
                            _inFlight[(next.Record.From, next.To)]--;
                            break;
                        }

                        if (wait > 2_000_000)
                        {
                            // Monitor.Wait counts whole milliseconds: wait coarsely (a new packet may wake us earlier)…
                            Monitor.Wait(_lock, TimeSpan.FromMilliseconds((wait / 1_000_000) - 1));
                        }
                        else
                        {
                            // …and the last stretch to the packet's absolute due time, outside the lock (a packet due
                            // earlier arriving meanwhile waits at most these 2 ms; only when delays differ by link).
                            Monitor.Exit(_lock);
                            try { Linux.Interop.MonotonicSleep.UntilSpinningYielding(key.Due, SpinNs); }
                            finally { Monitor.Enter(_lock); }
                        }
                    }
                    else
                    {
                        Monitor.Wait(_lock);
                    }
                }

                if (_disposed) return;
                if (_hosts.TryGetValue(next!.To, out Attached? dest)) port = dest.Port;
                else next.Record.Dropped = true; // the destination crashed while the packet was in flight
            }

            if (port is not null)
            {
                next.Record.DeliveredNs = _clock();
                port.Deliver(next.Bytes);
                port.TakeReplies();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Monitor.PulseAll(_lock);
        }

        Thread[] schedulers;
        lock (_lock) schedulers = [.. _schedulers];
        foreach (Thread t in schedulers) t.Join(TimeSpan.FromSeconds(2));
    }

    private sealed record Attached(IPAddress Address, IWirePort Port, int Generation);

    private sealed record Pending(WirePacket Record, byte[] Bytes, string To);
}
