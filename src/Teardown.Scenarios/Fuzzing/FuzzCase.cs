using System.Globalization;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>One generated scenario, ready to play: its seed, its draft (settled, annotated with the model's answers) and the parsed scenario.</summary>
public sealed record FuzzCase(ulong Seed, ScenarioDraft Draft, Scenario Scenario)
{
    /// <summary>The name it runs and is written under: <c>fuzz-SEED.scn</c>.</summary>
    public static string FileName(ulong seed) => string.Create(CultureInfo.InvariantCulture, $"fuzz-{seed}.scn");

    /// <summary>
    /// Generates the scenario of <paramref name="seed"/>, moves its lines off racing instants (<see cref="RaceGuard"/>)
    /// and writes the model's answers into it (<see cref="ModelAnnotator"/>). Null when it could not be settled
    /// (rare: lines kept landing on the kernel's own instants); the caller takes the next seed.
    /// </summary>
    public static FuzzCase? Make(ulong seed, FuzzOptions options, ulong modelSeed = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        ScenarioDraft? settled = RaceGuard.Settle(ScenarioGenerator.Generate(seed, options), options, modelSeed);
        if (settled is null) return null;
        ScenarioDraft annotated = ModelAnnotator.Annotate(settled, modelSeed);
        Scenario? scenario = annotated.TryParse(FileName(seed));
        if (scenario is null || LinesThatNeverRan(new ModelTarget(modelSeed).Play(scenario)).Any()) return null;
        return new FuzzCase(seed, annotated, scenario);
    }

    /// <summary>
    /// Calls that never started: the host was blocked (a lingering close, a connect to a silent peer) when it was
    /// killed or crashed, and its later lines were dropped with the process. The model drops them; the lab does
    /// not yet (it reports "no agent for host" — a lab limit, docs/fuzzing.md), so such scenarios are skipped.
    /// </summary>
    public static IEnumerable<TimedLine> LinesThatNeverRan(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var ran = trace.OfType<CallTraced>().Select(c => c.Line.Where)
            .Concat(trace.OfType<CallBlockedTraced>().Select(c => c.Line.Where)).ToHashSet();
        return trace.Scenario.Timeline.Where(l => l.Statement is HostStatement && !ran.Contains(l.Where));
    }
}
