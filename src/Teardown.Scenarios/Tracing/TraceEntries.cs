using Teardown.Model;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tracing;

/// <summary>One thing that happened during a run, at <see cref="At"/> from the scenario start.</summary>
public abstract record TraceEntry(TimeSpan At);

/// <summary>What a call returned: a value and, when it failed, an errno.</summary>
public readonly record struct CallOutcome(long Value, Errno Errno)
{
    public static CallOutcome Ok(long value = 0) => new(value, Errno.None);

    public static CallOutcome Fail(Errno errno) => new(-1, errno);

    /// <summary>The form written in scenarios: <c>0</c>, <c>10</c>, <c>-1 EPIPE</c>.</summary>
    public override string ToString() => Errno == Errno.None
        ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Value == -1 ? $"-1 {Errno}" : Errno.ToString();
}

/// <summary>A timeline statement that was performed: when it started (it may have waited for a blocked host) and returned.</summary>
public sealed record CallTraced(TimeSpan At, TimedLine Line, string Host, TimeSpan Returned, CallOutcome Outcome) : TraceEntry(At);

/// <summary>
/// A blocking call (connect, a lingering close) that had started but not returned when the scenario ended
/// (<see cref="At"/>); it started at <see cref="Started"/>. Not a call that never ran (its host was blocked
/// before it), nor a failure.
/// </summary>
public sealed record CallBlockedTraced(TimeSpan At, TimedLine Line, string Host, TimeSpan Started) : TraceEntry(At);

/// <summary>A network event of the timeline (drop, pass, delay, crash, reboot) taking effect.</summary>
public sealed record NetworkEventTraced(TimeSpan At, TimedLine Line) : TraceEntry(At);

/// <summary>
/// A state change of a connection end. <see cref="End"/> is the scenario's socket name when the end has
/// one, else its 4-tuple <c>addr:port&gt;addr:port</c>. A null state means GONE (nothing held any more).
/// </summary>
public sealed record TransitionTraced(TimeSpan At, string Host, string End, TcpState? From, TcpState? To, string Cause) : TraceEntry(At);

/// <summary>
/// A TCP segment put on the wire by <see cref="From"/> towards <see cref="To"/>. Sequence and
/// acknowledgment numbers are relative to the sender's and the receiver's initial sequence numbers.
/// </summary>
public sealed record SegmentTraced(
    TimeSpan At,
    string From,
    string To,
    string End,
    TcpFlags Flags,
    uint Seq,
    uint Ack,
    int Length,
    uint Window,
    bool Dropped) : TraceEntry(At);

public enum TimerAction
{
    Armed,
    Fired,
    Cancelled,
}

/// <summary>A timer of a connection end was armed (with its expiry), fired or cancelled.</summary>
public sealed record TimerTraced(TimeSpan At, string Host, string End, TimerKind Kind, TimerAction Action, TimeSpan? Expires) : TraceEntry(At);

/// <summary>A counter of a host changed; <see cref="Value"/> counts from the scenario start.</summary>
public sealed record CounterTraced(TimeSpan At, string Host, string Counter, long Value) : TraceEntry(At);

/// <summary>What the target saw for an <c>expect</c> line at its time.</summary>
public sealed record ObservationTraced(TimeSpan At, TimedLine Line, Observation Observed) : TraceEntry(At);

/// <summary>A remark by the target (e.g. "transitions by polling: tracefs unavailable").</summary>
public sealed record NoteTraced(TimeSpan At, string Text) : TraceEntry(At);

/// <summary>What an expectation observed.</summary>
public abstract record Observation;

/// <summary>A connection end: its state (null = GONE), timer, time left, queues and whether it is orphaned.</summary>
/// <param name="ExpiresLateness">
/// From the model only: how much later than <paramref name="Expires"/> the kernel's timer may be due, because
/// timers on the way here may have fired late on the kernel's timer wheel (Model.Simulation.Simulator.Lateness).
/// </param>
public sealed record EndObservation(TcpState? State, TimerKind Timer, TimeSpan? Expires, long RecvQ, long SendQ, bool Orphan, TimeSpan ExpiresLateness = default) : Observation
{
    public static EndObservation Gone { get; } = new(null, TimerKind.None, null, 0, 0, true);
}

public sealed record CounterObservation(long Value) : Observation;

/// <summary>The flag sets of the segments sent in one direction since the previous packets expectation of that direction.</summary>
public sealed record PacketsObservation(IReadOnlyList<TcpFlags> Flags) : Observation;
