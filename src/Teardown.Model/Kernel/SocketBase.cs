namespace Teardown.Model.Kernel;

/// <summary>What full sockets and timewait mini-sockets share: their host, 4-tuple and timer slots.</summary>
public abstract class SocketBase
{
    internal TimerSlot[] Timers = [new() { Deadline = SimTime.Never }, new() { Deadline = SimTime.Never }, new() { Deadline = SimTime.Never }, new() { Deadline = SimTime.Never }];

    private protected SocketBase(Host host, FourTuple tuple)
    {
        Host = host;
        Tuple = tuple;
    }

    public Host Host { get; }

    /// <summary>The 4-tuple from this host's point of view.</summary>
    public FourTuple Tuple { get; internal set; }

    /// <summary>True once the kernel has freed this object; stale timer events then do nothing.</summary>
    public bool Freed { get; internal set; }
}
