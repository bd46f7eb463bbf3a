using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>
/// What the kernel lab cannot play or trace yet, told from the model's trace of a scenario (docs/fuzzing.md,
/// "Lab limits"). The fuzzer skips such scenarios: a divergence there would be the lab's, not the model's.
/// </summary>
public static class LabLimits
{
    /// <summary>Each limit the scenario reaches, in words; empty when the lab can play it faithfully.</summary>
    public static IEnumerable<string> Reached(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        foreach (TimedLine line in LinesThatNeverRan(trace))
        {
            yield return $"line {line.Where.Line} never runs (its host was killed or crashed while blocked): the lab reports no agent";
        }
    }

    /// <summary>
    /// Calls that never started: the host was blocked (a lingering close, a connect to a silent peer) when it was
    /// killed or crashed, and its later lines went with the process. The model drops them; the lab gives the
    /// scenario up ("no agent for host").
    /// </summary>
    public static IEnumerable<TimedLine> LinesThatNeverRan(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var ran = trace.OfType<CallTraced>().Select(c => c.Line.Where)
            .Concat(trace.OfType<CallBlockedTraced>().Select(c => c.Line.Where)).ToHashSet();
        return trace.Scenario.Timeline.Where(l => l.Statement is HostStatement && !ran.Contains(l.Where));
    }
}
