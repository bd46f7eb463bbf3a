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
    private readonly List<TickTimer> _tick = [];

    // Timers (re)queued so far: a timer's place among those of its bucket (TimerSlot.RunOrder).
    private long _queuedTimers;

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

    /// <summary>
    /// Fire every timer at its exact deadline instead of at its timer-wheel bucket (<see cref="Rules.TimerWheel"/>),
    /// timers of one instant in arming order. For forecasts about a live host, whose jiffies the model cannot know:
    /// the exact deadline is the earliest the kernel can run a timer, and the wheel's slack
    /// (<see cref="Rules.TimerWheel.MaxLateness"/>) the most it adds. Scenarios and the lab use the wheel.
    /// </summary>
    public bool ExactTimers { get; init; }

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
                RunTick(in e);
                break;
        }

        return true;
    }

    /// <summary>
    /// Runs the timers due at this tick, <paramref name="first"/> and those queued right behind it at the same
    /// instant, in the kernel's order (<see cref="TimerSlot.RunOrder"/>): the higher level first, then the last
    /// queued first. One timer may stop or move another of the same tick; each is checked again just before it runs.
    /// </summary>
    private void RunTick(in ScheduledEvent first)
    {
        List<TickTimer> due = _tick;
        due.Clear();
        Collect(in first, due);
        while (_queue.NextIsTimerAt(first.Time))
        {
            _queue.Pop(out ScheduledEvent e);
            EventsProcessed++;
            Collect(in e, due);
        }

        if (due.Count > 1) due.Sort(static (a, b) => b.RunOrder.CompareTo(a.RunOrder));
        foreach (TickTimer t in due)
        {
            ref TimerSlot slot = ref t.Socket.Timers[t.Slot];
            if (t.Socket.Freed || slot.Generation != t.Generation || slot.QueuedAt != SimTime.Never) continue;
            if (slot.FiresAt == SimTime.Never) continue;
            if (slot.FiresAt.Microseconds > first.Time)
            {
                // Moved later since it was queued, by this tick's earlier timers or before: wait for it.
                Queue(t.Socket, (Slot)t.Slot, ref slot);
                continue;
            }

            slot.Deadline = SimTime.Never;
            slot.FiresAt = SimTime.Never;
            Lateness = slot.FireLateness;
            t.Socket.Host.OnTimerFired(t.Socket, (Slot)t.Slot);
        }

        due.Clear();
    }

    private static void Collect(in ScheduledEvent e, List<TickTimer> due)
    {
        var sock = (SocketBase)e.Target;
        ref TimerSlot slot = ref sock.Timers[e.Slot];
        if (sock.Freed || slot.Generation != e.Generation) return;
        slot.QueuedAt = SimTime.Never;
        due.Add(new TickTimer(sock, e.Slot, e.Generation, slot.RunOrder));
    }

    private readonly record struct TickTimer(SocketBase Socket, byte Slot, int Generation, long RunOrder);

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

    /// <summary>
    /// Arms a timer for <paramref name="deadline"/> = now + <paramref name="delay"/> on the timer wheel of a
    /// kernel at <paramref name="hz"/> (timer.c:__mod_timer): re-arming for the same expiry changes nothing;
    /// a new expiry in the same bucket keeps the timer's place there; any other goes to a bucket's head.
    /// </summary>
    /// <param name="wheelLateness">how much later a kernel whose jiffies are not the model's may fire it (<see cref="Rules.TimerWheel.MaxLateness"/>)</param>
    internal void ArmTimer(SocketBase sock, Slot slot, SimTime deadline, SimDuration delay, int hz, SimDuration wheelLateness)
    {
        ref TimerSlot t = ref sock.Timers[(int)slot];
        SimTime firesAt;
        long runOrder;
        if (ExactTimers)
        {
            t.ExpiresJiffy = long.MinValue;
            firesAt = deadline;
            runOrder = deadline != t.FiresAt ? -(_queuedTimers + 1) : t.RunOrder;   // one instant's timers in arming order
        }
        else
        {
            long clk = Rules.TimerWheel.JiffyAt(Now, hz);
            long expires = clk + Rules.TimerWheel.DelayJiffies(delay, hz);
            if (t.Armed && t.ExpiresJiffy == expires) return;
            t.ExpiresJiffy = expires;
            (long bucket, int level) = Rules.TimerWheel.Bucket(expires, clk);
            firesAt = Rules.TimerWheel.TickAt(bucket, hz);
            runOrder = firesAt != t.FiresAt || t.RunOrder >> 56 != level ? ((long)level << 56) | (_queuedTimers + 1) : t.RunOrder;
        }

        if (runOrder != t.RunOrder) _queuedTimers++;
        t.RunOrder = runOrder;
        t.Deadline = deadline;
        t.ArmLateness = Lateness;
        t.FireLateness = Lateness + wheelLateness;
        t.FiresAt = firesAt;
        if (t.QueuedAt <= firesAt) return;   // the queued event comes first and will re-queue itself
        t.Generation++;
        Queue(sock, slot, ref t);
    }

    internal static void CancelTimer(SocketBase sock, Slot slot)
    {
        ref TimerSlot t = ref sock.Timers[(int)slot];
        t.Deadline = SimTime.Never;
        t.FiresAt = SimTime.Never;
    }

    private void Queue(SocketBase sock, Slot slot, ref TimerSlot t)
    {
        t.QueuedAt = t.FiresAt;
        _queue.Push(
            new ScheduledEvent
            {
                Time = t.FiresAt.Microseconds,
                Kind = EventKind.Timer,
                Slot = (byte)slot,
                Target = sock,
                Generation = t.Generation,
            },
            (t.FiresAt - Now).Microseconds);
    }
}
