using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Teardown.Scenarios.Tests.Syntax;

namespace Teardown.Scenarios.Tests;

/// <summary>Builds traces by hand for a parsed scenario, addressing lines by their 1-based line number.</summary>
internal sealed class TraceBuilder
{
    public TraceBuilder(string scenarioText, TargetKind target = TargetKind.Model)
    {
        Scenario = ParseAssert.Parses(scenarioText);
        Trace = new ScenarioTrace(Scenario, target);
    }

    public Scenario Scenario { get; }

    public ScenarioTrace Trace { get; }

    public TimedLine Line(int lineNumber) => Scenario.Timeline.Single(l => l.Where.Line == lineNumber);

    public TraceBuilder Call(int lineNumber, CallOutcome outcome, double? returnedSeconds = null, double? startedSeconds = null)
    {
        TimedLine line = Line(lineNumber);
        var host = ((HostStatement)line.Statement).Host;
        TimeSpan started = startedSeconds is { } st ? Seconds(st) : line.At;
        TimeSpan returned = returnedSeconds is { } r ? Seconds(r) : started;
        Trace.Add(new CallTraced(started, line, host, returned, outcome));
        return this;
    }

    public TraceBuilder Observe(int lineNumber, Observation observation)
    {
        TimedLine line = Line(lineNumber);
        Trace.Add(new ObservationTraced(line.At, line, observation));
        return this;
    }

    public TraceBuilder Add(TraceEntry entry)
    {
        Trace.Add(entry);
        return this;
    }

    public static EndObservation End(TcpState? state, TimerKind timer = TimerKind.None, double? expires = null, long recvq = 0, long sendq = 0, bool orphan = false, double lateness = 0) =>
        new(state, timer, expires is { } e ? Seconds(e) : null, recvq, sendq, orphan, Seconds(lateness));

    /// <summary>Seconds rounded to the nearest tick: TimeSpan.FromSeconds(3.01) would give 3.0099999s.</summary>
    public static TimeSpan Seconds(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
}
