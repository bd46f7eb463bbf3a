using Teardown.Lab.Differential;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Fuzzing;
using Teardown.Scenarios.Syntax;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>A fuzz campaign plays what it promised and reports what it found; on the kernel, a fixed sample agrees.</summary>
// Beside the other live-kernel tests, never at the same time: they count the namespaces this process leaves.
[Collection("live kernel")]
public sealed class FuzzCampaignTests(ITestOutputHelper output)
{
    [Fact]
    public async Task On_the_model_a_campaign_plays_the_count_and_every_property_holds()
    {
        var notes = new List<string>();
        FuzzReport report = await new FuzzCampaign(new FuzzPlan(60, 1, 1, null, ModelOnly: true, FuzzOptions.Short), notes.Add).RunAsync();
        Assert.Equal(60, report.Played);
        Assert.Equal(60, report.Agreed);
        Assert.Empty(report.Findings);
        Assert.Contains(notes, n => n.StartsWith("[60/60] holds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_budget_stops_the_campaign_before_the_count()
    {
        FuzzReport report = await new FuzzCampaign(new FuzzPlan(1_000_000, 1, 1, TimeSpan.FromMilliseconds(300), ModelOnly: true, FuzzOptions.Short)).RunAsync();
        Assert.InRange(report.Played, 1, 999_999);
    }

    /// <summary>
    /// A stand-in for the two targets: every run of a scenario whose name is in <paramref name="diverging"/> diverges in
    /// its states while its count of runs side by side is under <paramref name="sideBySideDivergences"/>, and always
    /// alone; every other run agrees. Runs alone are recorded by name.
    /// </summary>
    private static FuzzCampaign Campaign(FuzzPlan plan, ISet<string> diverging, int sideBySideDivergences, List<string> alone, List<string> notes)
    {
        var sideBySide = new Dictionary<string, int>(StringComparer.Ordinal);
        return new FuzzCampaign(plan, notes.Add)
        {
            Play = (scenarios, jobs, progress, ct) =>
            {
                var results = new List<ScenarioDiff>();
                foreach (Scenario s in scenarios)
                {
                    bool diverges;
                    if (jobs == 1)
                    {
                        alone.Add(s.FileName);
                        diverges = diverging.Contains(s.FileName);
                    }
                    else
                    {
                        int n = sideBySide[s.FileName] = sideBySide.GetValueOrDefault(s.FileName) + 1;
                        diverges = diverging.Contains(s.FileName) && n <= sideBySideDivergences;
                    }

                    Divergence[] divergences = diverges ? [new Divergence(null, Aspects.States, "L1: LISTEN", "L1: LISTEN → CLOSE")] : [];
                    var r = new ScenarioDiff(s, new Comparison(divergences, [new AspectSummary(Aspects.States, 1, divergences.Length)]), 0, TimeSpan.FromSeconds(1), null);
                    results.Add(r);
                    progress?.Invoke(results.Count, r);
                }

                return Task.FromResult<IReadOnlyList<ScenarioDiff>>(results);
            },
        };
    }

    private static FuzzPlan SideBySide(int count) => new(count, 7, 2, null, ModelOnly: false, FuzzOptions.Short with { MaxDuration = TimeSpan.FromSeconds(5) }, ShrinkTries: 0);

    [Fact]
    public async Task Side_by_side_a_divergence_that_does_not_repeat_in_the_next_batch_is_never_played_alone()
    {
        var alone = new List<string>();
        var notes = new List<string>();
        FuzzReport report = await Campaign(SideBySide(12), new HashSet<string> { "fuzz-7.scn" }, sideBySideDivergences: 1, alone, notes).RunAsync();

        Assert.Equal(12, report.Played);
        Assert.Equal(11, report.Agreed);
        Assert.Equal(1, report.NotReproduced);
        Assert.Empty(report.Findings);
        Assert.Empty(alone);
        Assert.Contains(notes, n => n.StartsWith("[again] agrees    fuzz-7.scn", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("did not repeat when played again side by side", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Side_by_side_a_divergence_that_repeats_in_the_next_batch_is_confirmed_alone_once()
    {
        var alone = new List<string>();
        FuzzReport report = await Campaign(SideBySide(12), new HashSet<string> { "fuzz-7.scn" }, sideBySideDivergences: 2, alone, []).RunAsync();

        Assert.Equal(12, report.Played);
        FuzzFinding finding = Assert.Single(report.Findings);
        Assert.Equal((7UL, Aspects.States), (finding.Seed, finding.Aspect));
        Assert.Equal(["fuzz-7.scn", "fuzz-canary.scn"], alone);
    }

    [Fact]
    public async Task A_divergence_in_the_last_batch_goes_alone_without_a_second_look()
    {
        var alone = new List<string>();
        FuzzReport report = await Campaign(SideBySide(4), new HashSet<string> { "fuzz-7.scn" }, sideBySideDivergences: 1, alone, []).RunAsync();

        Assert.Equal(4, report.Played);
        Assert.Single(report.Findings);
        Assert.Equal(["fuzz-7.scn", "fuzz-canary.scn"], alone);
    }

    /// <summary>A few scenarios on the real kernel, end to end (the CI sample of ./run-tests plays a hundred).</summary>
    [Fact]
    public async Task On_the_kernel_a_small_fixed_sample_agrees()
    {
        if (!LiveKernel.Available(output)) return;
        var plan = new FuzzPlan(3, 2026_12_06, 1, null, ModelOnly: false, FuzzOptions.Short with { MaxDuration = TimeSpan.FromSeconds(5) }, ShrinkTries: 0);
        FuzzReport report = await new FuzzCampaign(plan, output.WriteLine).RunAsync();
        Assert.Equal(3, report.Played);
        Assert.True(report.Findings.Count == 0, string.Join('\n', report.Findings.Select(f => f.Description + "\n" + f.Minimal.Render())));
        Assert.Equal(0, report.LabErrors);
    }
}
