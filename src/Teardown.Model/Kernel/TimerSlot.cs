namespace Teardown.Model.Kernel;

/// <summary>
/// One kernel timer of a socket, re-armed the way mod_timer is used: cheaply. At most one queued event
/// serves a slot. Moving the timer later only updates <see cref="FiresAt"/>; the queued event, when it
/// comes due early, re-queues itself for the new instant. Moving it earlier queues a new event under a new
/// <see cref="Generation"/>, and the old one is ignored when it comes due. Cancelling clears the deadline.
/// </summary>
internal struct TimerSlot
{
    /// <summary>When the timer is due: the arming instant plus its delay (what sock_diag counts down to).</summary>
    public SimTime Deadline;

    /// <summary>The tick at which the kernel's timer wheel runs it (<see cref="Rules.TimerWheel.Bucket"/>).</summary>
    public SimTime FiresAt;

    /// <summary>timer->expires in jiffies: re-arming for the same value changes nothing (timer.c:__mod_timer).</summary>
    public long ExpiresJiffy;

    /// <summary>
    /// Where the timer stands among those run at the same tick: its level above its queueing order. Higher runs
    /// first (timer.c:__run_timers takes the levels from the top; enqueue_timer queues at a bucket's head).
    /// </summary>
    public long RunOrder;

    /// <summary>The time of the event queued for the current generation, or never.</summary>
    public SimTime QueuedAt;

    public int Generation;

    // Lateness bounds in microseconds (saturating at ~35 min): two ints fill what a long would pad.
    private int _armLatenessUs;
    private int _fireLatenessUs;

    /// <summary>How late the kernel may have been when it armed this timer (see <see cref="Simulation.Simulator.Lateness"/>).</summary>
    public SimDuration ArmLateness
    {
        readonly get => new(_armLatenessUs);
        set => _armLatenessUs = Saturate(value);
    }

    /// <summary>How late the kernel may be when this timer fires: the arming lateness plus the timer wheel's.</summary>
    public SimDuration FireLateness
    {
        readonly get => new(_fireLatenessUs);
        set => _fireLatenessUs = Saturate(value);
    }

    private static int Saturate(SimDuration d) => (int)Math.Clamp(d.Microseconds, 0, int.MaxValue);

    public readonly bool Armed => Deadline != SimTime.Never;
}

/// <summary>Four timer slots stored inline in the socket object.</summary>
[System.Runtime.CompilerServices.InlineArray(Length)]
internal struct TimerSlots
{
    public const int Length = 4;

    private TimerSlot _first;
}

/// <summary>The timer slots of a full socket (tcp_timer.c:tcp_init_xmit_timers) and of a timewait socket.</summary>
internal enum Slot : byte
{
    /// <summary>icsk_retransmit_timer: RTO, TLP or PROBE0 (see <see cref="TcpSocket.RetransmitPending"/>).</summary>
    Retransmit = 0,

    /// <summary>icsk_delack_timer: not visible in sock_diag.</summary>
    DelayedAck = 1,

    /// <summary>sk_timer: keepalive, and the orphan FIN_WAIT2 timer (tcp_timer.c:tcp_keepalive_timer).</summary>
    Keepalive = 2,

    /// <summary>tw_timer of a timewait socket; also the SYN-ACK timer of a request socket.</summary>
    Timewait = 3,
}

/// <summary>What the retransmit timer is armed for (ICSK_TIME_RETRANS, ICSK_TIME_LOSS_PROBE, ICSK_TIME_PROBE0).</summary>
internal enum RetransmitKind : byte
{
    None,
    Rto,
    LossProbe,
    Probe0,
}
