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
    private readonly PriorityQueue<Pending, (long Due, long Seq)> _queue = new();
    private readonly Func<long> _clock;
    private readonly Thread _scheduler;
    private long _seq;
    private bool _disposed;

    /// <summary>Creates a wire; <paramref name="clock"/> gives CLOCK_MONOTONIC ns (injectable for tests).</summary>
    public UserspaceWire(Func<long>? clock = null)
    {
        _clock = clock ?? MonotonicClock.NowNs;
        _scheduler = new Thread(RunScheduler) { IsBackground = true, Name = "wire scheduler", Priority = ThreadPriority.Highest };
        _scheduler.Start();
    }

    /// <summary>Every packet taken from a sender so far, in the order taken.</summary>
    public IReadOnlyList<WirePacket> Captured
    {
        get
        {
            lock (_lock) return _captured.ToArray();
        }
    }

    /// <summary>Connects a host at an address; packets addressed to it are handed to <paramref name="port"/>.</summary>
    public void Attach(string host, IPAddress address, IWirePort port)
    {
        lock (_lock) _hosts[host] = new Attached(address, port);
    }

    /// <summary>
    /// Disconnects a host (crash): from now on nothing it sends is taken or recorded, and packets to it,
    /// including those already in flight, are dropped.
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
    /// Takes one packet sent by <paramref name="from"/>. Records it, then drops, delivers at once (zero
    /// delay, nothing queued) or queues it for the scheduler.
    /// </summary>
    public void Ingress(string from, ReadOnlySpan<byte> packet)
    {
        long now = _clock();
        IPAddress? dst = PacketParser.Destination(packet);
        if (dst is null) return; // not IPv4 (e.g. IPv6 router solicitations): not part of the scenario network
        IWirePort? deliverNow = null;
        WirePacket record;
        lock (_lock)
        {
            if (_disposed || !_hosts.ContainsKey(from)) return; // a crashed host sends nothing
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
                _queue.Enqueue(new Pending(record, packet.ToArray(), to!), (due, _seq++));
                _inFlight[(from, to!)] = _inFlight.GetValueOrDefault((from, to!)) + 1;
                Monitor.PulseAll(_lock);
            }
        }

        if (deliverNow is not null)
        {
            record.DeliveredNs = _clock();
            deliverNow.Deliver(packet);
        }
    }

    /// <summary>
    /// Records a packet a host sent to itself over its loopback (<see cref="LoopbackTap"/>): captured like any
    /// other, never delayed, dropped or delivered — the host's own stack carries it.
    /// </summary>
    public void RecordLoopback(string host, ReadOnlySpan<byte> packet)
    {
        long now = _clock();
        if (PacketParser.Destination(packet) is null) return;
        lock (_lock)
        {
            if (_disposed || !_hosts.ContainsKey(host)) return;
            _captured.Add(new WirePacket(now, host, host, PacketParser.TryParse(packet), false, packet.Length) { DueNs = now, DeliveredNs = now });
        }
    }

    private void RunScheduler()
    {
        Linux.Interop.SchedulingBoost.Boost();
        while (true)
        {
            Pending? next = null;
            IWirePort? port = null;
            lock (_lock)
            {
                while (!_disposed)
                {
                    if (_queue.TryPeek(out Pending? p, out (long Due, long Seq) key))
                    {
                        long wait = key.Due - _clock();
                        if (wait <= 0)
                        {
                            next = _queue.Dequeue();
                            _inFlight[(next.Record.From, next.To)]--;
                            break;
                        }

                        Monitor.Wait(_lock, TimeSpan.FromTicks(Math.Max(1, wait / 100)));
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

        _scheduler.Join(TimeSpan.FromSeconds(2));
    }

    private sealed record Attached(IPAddress Address, IWirePort Port);

    private sealed record Pending(WirePacket Record, byte[] Bytes, string To);
}
