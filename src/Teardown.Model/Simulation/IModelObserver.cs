using Teardown.Model.Kernel;

namespace Teardown.Model.Simulation;

/// <summary>A change of a timer that sock_diag can see (the delayed-ACK timer is not reported).</summary>
public enum TimerChange
{
    Armed,
    Fired,
    Cancelled,
}

/// <summary>
/// Receives everything the model does, in order. The simulator calls it synchronously; an observer must not
/// call back into the model. A null observer costs nothing (the benchmark runs without one).
/// </summary>
public interface IModelObserver
{
    /// <summary>A connection end changed state; a null state means the kernel holds nothing for it any more.</summary>
    void OnTransition(SimTime at, Host host, FourTuple tuple, TcpState? from, TcpState? to, Cause cause);

    /// <summary>A segment left <paramref name="from"/>; <paramref name="dropped"/> if the network then discarded it.</summary>
    void OnSegment(SimTime at, Host from, Host? to, in Segment segment, bool dropped);

    void OnTimer(SimTime at, Host host, FourTuple tuple, TimerKind kind, TimerChange change, SimTime expires);

    void OnCounter(SimTime at, Host host, Mib counter, long value);

    /// <summary>A blocking call (connect, lingering close) returned.</summary>
    void OnCallCompleted(SimTime at, Host host, PendingCall call);
}
