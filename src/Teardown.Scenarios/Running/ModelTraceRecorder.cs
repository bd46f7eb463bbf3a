using Teardown.Model;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Running;

/// <summary>
/// Turns what the model reports into trace entries. Connection ends are named afterwards (a child exists
/// before accept() names it), so entries are kept with their 4-tuple and resolved by <see cref="Flush"/>.
/// </summary>
internal sealed class ModelTraceRecorder : IModelObserver
{
    private readonly List<Func<Func<string, FourTuple, string>, TraceEntry>> _pending = [];
    private readonly Dictionary<(uint, ushort, uint, ushort), uint> _isn = [];
    private readonly Dictionary<(string From, string To), List<TcpFlags>> _sentByDirection = [];
    private readonly Dictionary<(string From, string To), int> _observedUpTo = [];

    public List<(Host Host, PendingCall Call)> CompletedCalls { get; } = [];

    public void OnTransition(SimTime at, Host host, FourTuple tuple, TcpState? from, TcpState? to, Cause cause)
    {
        string hostName = host.Name;
        string why = cause.ToString();
        _pending.Add(name => new TransitionTraced(at.ToTimeSpan(), hostName, name(hostName, tuple), from, to, why));
    }

    public void OnSegment(SimTime at, Host from, Host? to, in Segment segment, bool dropped)
    {
        var key = (segment.SrcAddr, segment.SrcPort, segment.DstAddr, segment.DstPort);
        if (segment.Syn) _isn[key] = segment.Seq;
        uint relSeq = _isn.TryGetValue(key, out uint isn) ? unchecked(segment.Seq - isn) : segment.Seq;
        var back = (segment.DstAddr, segment.DstPort, segment.SrcAddr, segment.SrcPort);
        uint relAck = segment.HasAck && _isn.TryGetValue(back, out uint peerIsn) ? unchecked(segment.Ack - peerIsn) : segment.Ack;
        string fromName = from.Name;
        string toName = to?.Name ?? Addr.Format(segment.DstAddr);
        var tuple = new FourTuple(segment.SrcAddr, segment.SrcPort, segment.DstAddr, segment.DstPort);
        TcpFlags flags = segment.Flags;
        int length = segment.Length;
        uint window = segment.Window;
        if (!_sentByDirection.TryGetValue((fromName, toName), out var list)) _sentByDirection[(fromName, toName)] = list = [];
        list.Add(flags);
        _pending.Add(name => new SegmentTraced(at.ToTimeSpan(), fromName, toName, name(fromName, tuple), flags, relSeq, relAck, length, window, dropped));
    }

    public void OnTimer(SimTime at, Host host, FourTuple tuple, TimerKind kind, TimerChange change, SimTime expires)
    {
        string hostName = host.Name;
        TimerAction action = change switch
        {
            TimerChange.Armed => TimerAction.Armed,
            TimerChange.Fired => TimerAction.Fired,
            _ => TimerAction.Cancelled,
        };
        TimeSpan? left = change == TimerChange.Armed ? (expires - at).ToTimeSpan() : null;
        _pending.Add(name => new TimerTraced(at.ToTimeSpan(), hostName, name(hostName, tuple), kind, action, left));
    }

    public void OnCounter(SimTime at, Host host, Mib counter, long value)
    {
        // Segment counts change on every packet; they stay available to expectations but not in the trace.
        if (counter is Mib.InSegs or Mib.OutSegs) return;
        string hostName = host.Name;
        string name = counter.ToString();
        _pending.Add(_ => new CounterTraced(at.ToTimeSpan(), hostName, name, value));
    }

    public void OnCallCompleted(SimTime at, Host host, PendingCall call) => CompletedCalls.Add((host, call));

    /// <summary>Adds an entry that needs no naming, in order with the rest.</summary>
    public void Add(TraceEntry entry) => _pending.Add(_ => entry);

    /// <summary>The flags sent from one host to another since the previous call for that direction.</summary>
    public IReadOnlyList<TcpFlags> TakePackets(string from, string to)
    {
        var key = (from, to);
        var all = _sentByDirection.GetValueOrDefault(key) ?? [];
        int start = _observedUpTo.GetValueOrDefault(key);
        _observedUpTo[key] = all.Count;
        return all.Skip(start).ToList();
    }

    /// <summary>Writes every entry into the trace, naming connection ends through <paramref name="name"/>.</summary>
    public void Flush(ScenarioTrace trace, Func<string, FourTuple, string> name)
    {
        var entries = new List<TraceEntry>(_pending.Count);
        var lastTransition = new Dictionary<(string Host, string End), int>();
        foreach (var make in _pending)
        {
            TraceEntry entry = make(name);
            if (entry is TransitionTraced t)
            {
                // An end that reaches CLOSE and is freed at the same instant went straight to GONE, as the kernel's
                // trace shows it: within one call (an exit closing a loopback pair, the peer's RST delivered
                // before the next descriptor is closed) the CLOSE is never observable (fuzz seed 20261284).
                if (t is { From: TcpState.Close, To: null } && lastTransition.TryGetValue((t.Host, t.End), out int i)
                    && entries[i] is TransitionTraced { To: TcpState.Close } closed && closed.At == t.At)
                {
                    entries[i] = closed with { To = null, Cause = closed.Cause + "; " + t.Cause };
                    continue;
                }

                lastTransition[(t.Host, t.End)] = entries.Count;
            }

            entries.Add(entry);
        }

        foreach (TraceEntry entry in entries) trace.Add(entry);
        _pending.Clear();
    }
}
