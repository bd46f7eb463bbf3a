using Teardown.Model.Kernel;
using Teardown.Model.Network;

namespace Teardown.Model.Simulation;

/// <summary>
/// The world: hosts (each one a kernel), the network between them, a virtual clock and one deterministic
/// event queue ordered by (time, sequence). It never reads the wall clock and draws randomness only from
/// the seeded <see cref="DeterministicRandom"/> it is given, so the same input gives the same trace.
/// </summary>
public sealed class Simulator
{
    private readonly EventQueue _queue = new();
    private readonly Dictionary<uint, Host> _byAddress = [];
    private readonly List<Host> _hosts = [];

    public Simulator(DeterministicRandom random, IModelObserver? observer = null)
    {
        Random = random;
        Observer = observer;
    }

    public SimTime Now { get; private set; }

    public DeterministicRandom Random { get; }

    public IModelObserver? Observer { get; }

    public SimNetwork Network { get; } = new();

    public IReadOnlyList<Host> Hosts => _hosts;

    /// <summary>
    /// How late, at most, the kernel may be running what the current event does, compared with the model's
    /// exact clock. Linux's timer wheel fires a timer up to a granularity after its deadline
    /// (<see cref="Rules.TimerWheel"/>); whatever that timer does — a retransmission, a timer armed from it, the
    /// peer's answer to its segment — inherits the delay, and delays add up along a chain of causes. Timeline
    /// calls run at exact times (lateness zero). Observations report it with a timer's expiry, so that a
    /// comparison with the kernel knows how much later the kernel's timer may legitimately be due.
    /// </summary>
    public SimDuration Lateness { get; private set; }

    /// <summary>
    /// How much larger than the model's an RTT measured on a real kernel may be (host and wire latency the
    /// model's links do not have). Only widens <see cref="Lateness"/> for backed-off RTOs; the model's own
    /// behaviour never depends on it. Zero by default; a comparison with a real kernel sets it.
    /// </summary>
    public SimDuration RttExcessBound { get; init; }

    /// <summary>Events processed so far (a measure of work for benchmarks).</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>The time of the next pending event, or <see cref="SimTime.Never"/>.</summary>
    public SimTime NextEventTime => new(_queue.PeekTime);

    public Host AddHost(string name, uint address, KernelSettings? settings = null)
    {
        if (_byAddress.ContainsKey(address)) throw new ArgumentException($"address {Addr.Format(address)} is taken", nameof(address));
        var host = new Host(this, name, address, settings ?? new KernelSettings());
        _byAddress[address] = host;
        _hosts.Add(host);
        return host;
    }

    public Host? HostAt(uint address) => _byAddress.GetValueOrDefault(address);

    /// <summary>Processes every event due at or before <paramref name="time"/>, then sets the clock to it.</summary>
    public void RunUntil(SimTime time)
    {
        while (_queue.Count > 0 && _queue.PeekTime <= time.Microseconds) Step();
        if (time > Now) Now = time;

        // What runs next at this instant is a timeline call, made at an exact time.
        Lateness = SimDuration.Zero;
    }

    /// <summary>Processes the next event; returns false if there is none.</summary>
    public bool Step()
    {
        if (_queue.Count == 0) return false;
        _queue.Pop(out ScheduledEvent e);
        Now = new SimTime(e.Time);
        EventsProcessed++;
        switch (e.Kind)
        {
            case EventKind.SegmentArrival:
                Arrive(in e);
                break;
            case EventKind.Timer:
                var sock = (SocketBase)e.Target;
                ref TimerSlot slot = ref sock.Timers[e.Slot];
                if (sock.Freed || slot.Generation != e.Generation) break;
                slot.QueuedAt = SimTime.Never;
                if (slot.Deadline == SimTime.Never) break;
                if (slot.Deadline.Microseconds > e.Time)
                {
                    // The deadline moved later since this event was queued: wait for it.
                    Queue(sock, (Slot)e.Slot, ref slot);
                    break;
                }

                slot.Deadline = SimTime.Never;
                Lateness = slot.FireLateness;
                sock.Host.OnTimerFired(sock, (Slot)e.Slot);
                break;
        }

        return true;
    }

    private void Arrive(in ScheduledEvent e)
    {
        var host = (Host)e.Target;
        Lateness = new SimDuration(e.Lateness);

        // A segment in flight to a host that crashed (or crashed and rebooted since) is lost with it.
        if (!host.Crashed && host.Incarnation == e.Generation) host.Receive(e.Segment);
    }

    /// <summary>
    /// Delivers at once the segments <paramref name="host"/> has just sent itself over loopback, and their answers.
    /// Linux runs them before the sending call goes on: dev.c:__dev_queue_xmit → loopback.c:loopback_xmit →
    /// __netif_rx queues the skb on this CPU's backlog and raises NET_RX, which runs at the local_bh_enable that
    /// ends the transmit. It matters where one call sends several times: an exiting process closes its
    /// descriptors one after another (<see cref="Host.Kill"/>), and a loopback peer has taken the first FIN
    /// (it is CLOSE_WAIT) before its own descriptor is closed (fuzz seed 20261239). Other events due now wait.
    /// </summary>
    internal void DeliverLoopback(Host host)
    {
        var others = new List<ScheduledEvent>();
        while (_queue.Count > 0 && _queue.PeekTime <= Now.Microseconds)
        {
            _queue.Pop(out ScheduledEvent e);
            if (e.Kind == EventKind.SegmentArrival && ReferenceEquals(e.Target, host) && e.Segment.SrcAddr == host.Address)
            {
                EventsProcessed++;
                Arrive(in e);
            }
            else
            {
                others.Add(e);
            }
        }

        foreach (ScheduledEvent e in others) _queue.Push(e, 0);
        Lateness = SimDuration.Zero;
    }

    /// <summary>Puts a segment on the wire: recorded, then dropped or delivered after the link's delay.</summary>
    internal void Transmit(Host from, in Segment segment)
    {
        Host? to;
        Direction? path = null;
        if (segment.DstAddr == from.Address)
        {
            to = from;
        }
        else if (from.LastPeer is { } cached && cached.Address == segment.DstAddr)
        {
            to = cached;
            path = from.LastPath;
        }
        else
        {
            to = HostAt(segment.DstAddr);
            if (to is not null)
            {
                path = Network.Get(from.Address, to.Address);
                from.LastPeer = to;
                from.LastPath = path;
            }
        }

        bool dropped = to is null || to.Crashed || from.Crashed || (path?.Dropping ?? false);
        Observer?.OnSegment(Now, from, to, segment, dropped);
        if (dropped) return;
        SimDuration delay = path?.Delay ?? SimDuration.Zero;
        _queue.Push(
            new ScheduledEvent
            {
                Time = (Now + delay).Microseconds,
                Kind = EventKind.SegmentArrival,
                Target = to!,
                Generation = to!.Incarnation,
                Segment = segment,
                Lateness = Lateness.Microseconds,
            },
            delay.Microseconds);
    }

    /// <param name="wheelLateness">how late the kernel's timer wheel may fire this timer (<see cref="Rules.TimerWheel"/>)</param>
    internal void ArmTimer(SocketBase sock, Slot slot, SimTime deadline, SimDuration wheelLateness)
    {
        ref TimerSlot t = ref sock.Timers[(int)slot];
        t.Deadline = deadline;
        t.ArmLateness = Lateness;
        t.FireLateness = Lateness + wheelLateness;
        if (t.QueuedAt <= deadline) return;   // the queued event comes first and will re-queue itself
        t.Generation++;
        Queue(sock, slot, ref t);
    }

    internal static void CancelTimer(SocketBase sock, Slot slot) => sock.Timers[(int)slot].Deadline = SimTime.Never;

    private void Queue(SocketBase sock, Slot slot, ref TimerSlot t)
    {
        t.QueuedAt = t.Deadline;
        _queue.Push(
            new ScheduledEvent
            {
                Time = t.Deadline.Microseconds,
                Kind = EventKind.Timer,
                Slot = (byte)slot,
                Target = sock,
                Generation = t.Generation,
            },
            (t.Deadline - Now).Microseconds);
    }
}
