using Teardown.Model;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;

namespace Teardown.Doctor.Forecast;

/// <summary>
/// Watches one connection end in a forecast's model world: its states with their causes, when it is
/// GONE and why, and what our host sends to the peer from a mark on (a FIN, a RST).
/// </summary>
internal sealed class ForecastRecorder : IModelObserver
{
    private readonly List<(SimTime At, TcpState? State, Cause Cause)> _path = [];
    private SimTime _mark = SimTime.Never;

    /// <summary>Our host (set once the world exists).</summary>
    internal Host? Us { get; set; }

    /// <summary>Our end, from our host's point of view (set once the connection exists).</summary>
    internal FourTuple? Ours { get; set; }

    /// <summary>
    /// From when segments to the peer count as "what the peer sees", and counters as moved by the run.
    /// Setting it forgets what was seen before.
    /// </summary>
    internal SimTime Mark
    {
        get => _mark;
        set
        {
            _mark = value;
            SentFin = SentRst = false;
            CountersAtMark = Us is null ? [] : CountersOf(Us);
        }
    }

    /// <summary>Our host's MIB counters when the mark was set.</summary>
    internal long[] CountersAtMark { get; private set; } = [];

    /// <summary>Every MIB counter of <paramref name="host"/>, indexed by <see cref="Mib"/>.</summary>
    internal static long[] CountersOf(Host host)
    {
        var values = new long[MibNames.Count];
        for (int i = 0; i < values.Length; i++) values[i] = host.Counter((Mib)i);
        return values;
    }

    internal SimTime? GoneAt { get; private set; }

    internal Cause? GoneBecause { get; private set; }

    internal bool SentFin { get; private set; }

    internal bool SentRst { get; private set; }

    /// <summary>The states of our end after the mark, in order.</summary>
    internal IEnumerable<(SimTime At, TcpState? State, Cause Cause)> PathSince(SimTime mark) => _path.Where(p => p.At >= mark);

    /// <summary>When our end first entered <paramref name="state"/>.</summary>
    internal SimTime? Entered(TcpState state)
    {
        foreach (var p in _path)
        {
            if (p.State == state) return p.At;
        }

        return null;
    }

    public void OnTransition(SimTime at, Host host, FourTuple tuple, TcpState? from, TcpState? to, Cause cause)
    {
        if (!ReferenceEquals(host, Us) || tuple != Ours) return;
        _path.Add((at, to, cause));
        // CLOSE means unhashed: sock_diag no longer lists it, even while a descriptor still holds it.
        if (to is null or TcpState.Close)
        {
            GoneAt ??= at;
            GoneBecause ??= cause;
        }
    }

    public void OnSegment(SimTime at, Host from, Host? to, in Segment segment, bool dropped)
    {
        if (dropped || !ReferenceEquals(from, Us) || at < Mark || Ours is not FourTuple ours) return;
        if (segment.SrcPort != ours.LocalPort || segment.DstPort != ours.RemotePort) return;
        if (segment.Rst) SentRst = true;
        if (segment.Fin) SentFin = true;
    }

    public void OnTimer(SimTime at, Host host, FourTuple tuple, TimerKind kind, TimerChange change, SimTime expires)
    {
    }

    public void OnCounter(SimTime at, Host host, Mib counter, long value)
    {
    }

    public void OnCallCompleted(SimTime at, Host host, PendingCall call)
    {
    }
}
