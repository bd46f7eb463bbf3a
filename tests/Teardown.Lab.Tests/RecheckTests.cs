using Teardown.Lab.Differential;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Tests;

/// <summary>A divergence or a lab error is re-played alone; only one that repeats stays, and the first run is kept on record.</summary>
public sealed class RecheckTests
{
    private const string Text = """
        host client
        host server
        sysctl client net.ipv4.tcp_fin_timeout=5
        0       server listen L 8080
        0       client connect C server:8080          = 0
        +0.01   server accept S L                     = 0
        +0.1    client close C                        = 0
        6       expect C GONE
        """;

    private static Scenario Parse(string text, string name) => ScenarioParser.Parse(text, name).Scenario!;

    // Model against model: agreeing, or diverging because the "kernel" side ran another fin_timeout.
    private static ScenarioDiff Diff(Scenario scenario, bool diverge)
    {
        var other = diverge ? Parse(Text.Replace("tcp_fin_timeout=5", "tcp_fin_timeout=9", StringComparison.Ordinal), scenario.FileName) : scenario;
        var comparison = TraceComparer.Compare(new ModelTarget(1).Play(scenario), new ModelTarget(1).Play(other));
        return new ScenarioDiff(scenario, comparison, 0, TimeSpan.FromSeconds(1), null);
    }

    [Fact]
    public async Task A_divergence_that_does_not_repeat_alone_is_reported_as_agreeing_only_alone()
    {
        var flaky = Parse(Text, "flaky.scn");
        var broken = Parse(Text, "broken.scn");
        var fine = Parse(Text, "fine.scn");
        var first = new[] { Diff(flaky, diverge: true), Diff(broken, diverge: true), Diff(fine, diverge: false), new ScenarioDiff(fine, null, 0, TimeSpan.Zero, "agent died") };
        var replayed = new List<string>();

        var result = await DiffRunner.RecheckAsync(first, (s, _) =>
        {
            replayed.Add(s.FileName);
            return Task.FromResult(Diff(s, diverge: s.FileName == "broken.scn"));
        }, null, CancellationToken.None);

        Assert.Equal(["flaky.scn", "broken.scn", "fine.scn"], replayed);
        Assert.True(result[0].Agrees);
        Assert.Same(first[0], result[0].DivergedFirst);
        Assert.False(result[1].Agrees);
        Assert.Null(result[1].DivergedFirst);
        Assert.Same(first[2], result[2]);

        // A lab error is the lab's failure, not the model's: played alone, its result stands, the error kept on record.
        Assert.True(result[3].Agrees);
        Assert.Equal("agent died", result[3].LabErrorFirst);
    }

    [Fact]
    public async Task A_lab_error_that_repeats_alone_stays_an_error()
    {
        var stuck = Parse(Text, "stuck.scn");
        var first = new[] { new ScenarioDiff(stuck, null, 0, TimeSpan.Zero, "connect did not return within 30 s") };

        var result = await DiffRunner.RecheckAsync(first, (s, _) =>
            Task.FromResult(new ScenarioDiff(s, null, 0, TimeSpan.Zero, "connect did not return within 30 s")), null, CancellationToken.None);

        Assert.Equal(DiffVerdict.Error, result[0].Verdict);
    }
}
