using Teardown.Lab.Differential;
using Teardown.Scenarios.Fuzzing;
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
