namespace Teardown.Model.Kernel;

/// <summary>What full sockets and timewait mini-sockets share: their host, 4-tuple and timer slots.</summary>
public abstract class SocketBase
{
    /// <summary>The socket's timer slots, inline (no array per socket), indexed by <see cref="Slot"/>.</summary>
    internal TimerSlots Timers;

    private protected SocketBase(Host host, FourTuple tuple)
    {
        Host = host;
        Tuple = tuple;
        for (int i = 0; i < TimerSlots.Length; i++)
        {
            Timers[i].Deadline = SimTime.Never;
            Timers[i].FiresAt = SimTime.Never;
            Timers[i].QueuedAt = SimTime.Never;
        }
    }

    public Host Host { get; }

    /// <summary>True if any timer slot is armed (the invariant: never on a freed socket).</summary>
    internal bool AnyTimerArmed
    {
        get
        {
            for (int i = 0; i < TimerSlots.Length; i++)
            {
                if (Timers[i].Armed) return true;
            }

            return false;
        }
    }

    /// <summary>The 4-tuple from this host's point of view.</summary>
    public FourTuple Tuple { get; internal set; }

    /// <summary>True once the kernel has freed this object; stale timer events then do nothing.</summary>
    public bool Freed { get; internal set; }
}
