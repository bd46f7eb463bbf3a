using Teardown.Lab.Differential;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Syntax;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>Runs played side by side (diff and fuzz with --jobs above 1) see one tracepoint, which names no namespace.</summary>
[Collection("live kernel")]
public sealed class LiveSideBySideTests(ITestOutputHelper output)
{
    private const string KeepsItsListener = """
        host a
        host b
        0       b listen L 8080
        0       a connect C b:8080                    = 0
        +0.01   b accept S L                          = 0
        0.5     expect L LISTEN
        """;

    /// <summary>
    /// Every run listens on 0.0.0.0:8080 at 0, so only the instant a listener entered LISTEN says whose it is. Runs
    /// started together used to align their zeros with the same jiffy, and each took the other runs' listeners for its
    /// own: a listener another run closed showed as "L1: LISTEN → CLOSE" in a run that never closed it (fuzz at --jobs
    /// 6, seeds 777001, 777002, 777006).
    /// </summary>
    [Fact]
    public async Task Another_runs_listener_closing_is_not_this_runs_listener()
    {
        if (!LiveKernel.Available(output)) return;
        string closes = KeepsItsListener.Replace("0.5     expect L LISTEN", "0.3     b close L                            = 0\n0.5     expect L GONE", StringComparison.Ordinal);
        Scenario[] scenarios =
        [
            ScenarioParser.Parse(KeepsItsListener, "keeps-1.scn").Scenario!,
            ScenarioParser.Parse(closes, "closes.scn").Scenario!,
            ScenarioParser.Parse(KeepsItsListener, "keeps-2.scn").Scenario!,
        ];

        IReadOnlyList<ScenarioDiff> results = await DiffRunner.RunAsync(scenarios, seed: 1, jobs: 3);

        foreach (ScenarioDiff r in results)
        {
            output.WriteLine($"{r.Scenario.FileName}: {r.Error ?? string.Join("; ", r.Comparison!.Divergences.Select(d => $"{d.Aspect} at {d.Line?.Text.Trim()}: model {d.Model}, kernel {d.Kernel}"))}");
        }

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.All(results, r => Assert.DoesNotContain(r.Comparison!.Divergences, d => d.Aspect == Aspects.States));
    }
}
