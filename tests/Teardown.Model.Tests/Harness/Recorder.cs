using System.Globalization;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;

namespace Teardown.Model.Tests.Harness;

/// <summary>One segment a host put on the wire, as the observer saw it.</summary>
public sealed record Wire(SimTime At, Host From, Segment Segment, bool Dropped);

/// <summary>
/// Records everything the model reports: segments (for expectations) and one text line per event (for
/// determinism checks — two runs of the same seed and script must produce identical lines).
/// </summary>
public sealed class Recorder : IModelObserver
{
    public List<string> Lines { get; } = [];

    public List<Wire> Segments { get; } = [];

    public void OnTransition(SimTime at, Host host, FourTuple tuple, TcpState? from, TcpState? to, Cause cause) =>
        Lines.Add(Inv($"{at} {host.Name} {tuple} {Name(from)}->{Name(to)} ({cause.Text})"));

    public void OnSegment(SimTime at, Host from, Host? to, in Segment segment, bool dropped)
    {
        Segments.Add(new Wire(at, from, segment, dropped));
        Lines.Add(Inv($"{at} {from.Name} tx {segment}{(dropped ? " DROPPED" : "")}"));
    }

    public void OnTimer(SimTime at, Host host, FourTuple tuple, TimerKind kind, TimerChange change, SimTime expires) =>
        Lines.Add(Inv($"{at} {host.Name} {tuple} timer {kind} {change} {expires}"));

    public void OnCounter(SimTime at, Host host, Mib counter, long value) =>
        Lines.Add(Inv($"{at} {host.Name} {counter}={value}"));

    public void OnCallCompleted(SimTime at, Host host, PendingCall call) =>
        Lines.Add(Inv($"{at} {host.Name} {call.What} returned {call.Result}"));

    private static string Name(TcpState? s) => s?.ToLinuxName() ?? "GONE";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
