using Teardown.Scenarios.Fuzzing;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Tests.Fuzzing;

/// <summary>The shrinker keeps what fails, drops what does not, and never leaves an invalid scenario.</summary>
public sealed class ShrinkerTests
{
    /// <summary>"The model sends a reset": a cheap stand-in for "model and kernel diverge".</summary>
    private static Task<bool> SendsAReset(ScenarioDraft d, CancellationToken ct)
    {
        Scenario? s = d.TryParse("shrink.scn");
        return Task.FromResult(s is not null && new ModelTarget().Play(s, ct).OfType<SegmentTraced>().Any(x => x.Flags.HasFlag(TcpFlags.Rst)));
    }

    private static FuzzCase FirstCaseWithAReset() =>
        Enumerable.Range(1, 500).Select(i => FuzzCase.Make((ulong)i, FuzzOptions.Short))
            .First(c => c is not null && c.Draft.Lines.Count > 12 && SendsAReset(c.Draft, default).Result)!;

    [Fact]
    public async Task AShrunkScenario_StillFails_IsValid_AndIsSmaller()
    {
        FuzzCase c = FirstCaseWithAReset();
        ShrinkResult shrunk = await new Shrinker(SendsAReset).ShrinkAsync(c.Draft);
        Assert.True(await SendsAReset(shrunk.Draft, default));
        Assert.Empty(shrunk.Draft.Parse("shrunk.scn").Diagnostics);
        Assert.True(shrunk.Draft.Lines.Count < c.Draft.Lines.Count / 2, $"{c.Draft.Lines.Count} lines became {shrunk.Draft.Lines.Count}:\n{shrunk.Draft.Render()}");
    }

    [Fact]
    public async Task AReset_ShrinksToAFewLines_WithoutObservations()
    {
        ShrinkResult shrunk = await new Shrinker(SendsAReset).ShrinkAsync(FirstCaseWithAReset().Draft);

        // A reset needs a listener, a connection and one call at most; nothing observes anything.
        Assert.InRange(shrunk.Draft.Lines.Count, 1, 5);
        Assert.DoesNotContain(shrunk.Draft.Lines, l => l.Statement.StartsWith("expect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheBudget_BoundsTheCandidatesTried()
    {
        int calls = 0;
        ShrinkResult shrunk = await new Shrinker((d, ct) => { calls++; return SendsAReset(d, ct); }, maxTries: 5).ShrinkAsync(FirstCaseWithAReset().Draft);
        Assert.Equal(5, calls);
        Assert.True(shrunk.BudgetSpent);
    }

    [Fact]
    public async Task ADraftFromAFile_Shrinks_Too()
    {
        const string text = """
            host client
            host server
            0       server listen L 8080
            0       client connect C server:8080   = 0
            +0.05   server accept S L              = 0
            +0.05   client send C 100              = 100
            +0.05   expect S ESTABLISHED recvq=100
            +0.05   server close S                 = 0
            +0.1    expect C CLOSE
            """;
        Scenario parsed = ScenarioParser.Parse(text, "file.scn").Scenario!;
        ShrinkResult shrunk = await new Shrinker(SendsAReset).ShrinkAsync(ScenarioDraft.From(parsed));
        Assert.Equal(["server listen L 8080", "client connect C server:8080", "server accept S L", "client send C 1", "server close S"],
            shrunk.Draft.Lines.Select(l => l.Statement));
    }

    [Fact]
    public async Task A_host_the_failure_does_not_need_goes_with_every_line_naming_it()
    {
        const string text = """
            host client
            host server
            host bystander
            sysctl bystander net.ipv4.tcp_fin_timeout=5
            link server bystander delay=10ms
            0       server listen L 8080
            0.05    bystander connect B server:8080
            0.1     client connect C server:8080
            0.15    server accept S L
            0.2     client send C 100
            0.25    net drop bystander->server
            0.3     server close S
            """;
        ShrinkResult shrunk = await new Shrinker(SendsAReset).ShrinkAsync(ScenarioDraft.From(ScenarioParser.Parse(text, "f.scn").Scenario!));
        Assert.DoesNotContain(shrunk.Draft.Header, h => h.Contains("bystander", StringComparison.Ordinal));
        Assert.DoesNotContain(shrunk.Draft.Lines, l => l.Statement.Contains("bystander", StringComparison.Ordinal));
        Assert.True(await SendsAReset(shrunk.Draft, default));
    }
}
