using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;

namespace Teardown.Cli.Tests;

/// <summary>Every scenario of the catalogue is a test: it must parse and all its expectations must hold on the model.</summary>
public sealed class CatalogueTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        string dir = Path.Combine(CliHarness.RepoRoot, "scenarios");
        foreach (string f in Directory.EnumerateFiles(dir, "*.scn", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(CliHarness.RepoRoot, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_holds_on_the_model(string relativePath)
    {
        ParseResult parsed = ScenarioParser.ParseFile(Path.Combine(CliHarness.RepoRoot, relativePath));
        Assert.True(parsed.Scenario is not null, string.Join("\n", parsed.Diagnostics));
        var trace = new ModelTarget().Play(parsed.Scenario!);
        var failures = ExpectationChecker.Check(trace).Where(v => !v.Passed)
            .Select(v => $"line {v.Line.Where.Line}: expected {v.Expected}, observed {v.Observed}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_seed_catalogue_covers_the_twenty_behaviours()
    {
        string seed = Path.Combine(CliHarness.RepoRoot, "scenarios", "seed");
        Assert.True(Directory.EnumerateFiles(seed, "*.scn").Count() >= 20);
    }

    [Fact]
    public void The_same_seed_gives_the_same_trace()
    {
        string path = Path.Combine(CliHarness.RepoRoot, "scenarios", "seed", "05-fin-wait1-unresponsive-peer.scn");
        Scenario s = ScenarioParser.ParseFile(path).Scenario!;
        string Render(ulong seed)
        {
            var w = new StringWriter();
            Teardown.Scenarios.Rendering.JsonTraceWriter.Write(new ModelTarget(seed).Play(s), null, w);
            return w.ToString();
        }

        Assert.Equal(Render(7), Render(7));
    }
}
