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
        if (scenario is null || LabLimits.Reached(new ModelTarget(modelSeed).Play(scenario)).Any()) return null;
        return new FuzzCase(seed, annotated, scenario);
    }
}
