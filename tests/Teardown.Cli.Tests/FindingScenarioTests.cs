using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;

namespace Teardown.Cli.Tests;

/// <summary><c>doctor --scenario N</c>: every finding of the demo capture that has a reproduction becomes a scenario the model plays with every expectation met.</summary>
public sealed class FindingScenarioTests
{
    private static string Capture => Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");

    [Fact]
    public void Each_reproducible_finding_becomes_a_scenario_whose_expectations_the_model_meets()
    {
        var (_, brief, _) = CliHarness.Run("doctor", "--input", Capture, "--brief");
        int findings = brief.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.StartsWith('#'));
        Assert.True(findings >= 10, brief);
        var reproduced = new List<string>();
        for (int n = 1; n <= findings; n++)
        {
            var (code, scenario, error) = CliHarness.Run("doctor", "--input", Capture, "--scenario", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (code == 2)
            {
                Assert.Contains("has no two-host reproduction", error, StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(0, code);
            var parsed = ScenarioParser.Parse(scenario, $"finding-{n}.scn");
            Assert.True(parsed.Succeeded, $"finding {n}: {string.Join("; ", parsed.Diagnostics)}\n{scenario}");
            var verdicts = ExpectationChecker.Check(new ModelTarget().Play(parsed.Scenario!));
            Assert.True(verdicts.Count >= 2, scenario);
            Assert.True(verdicts.All(v => v.Passed), $"finding {n}:\n{scenario}\n{string.Join("\n", verdicts.Where(v => !v.Passed).Select(v => $"{v.Line.Text}: observed {v.Observed}"))}");
            reproduced.Add(scenario.Split('\n')[1]);
        }

        // The demo's leaky server (our side) and its stale client pool (their side) are both among them.
        Assert.True(reproduced.Count >= 5, string.Join("\n", reproduced));
        Assert.Contains(reproduced, l => l.Contains("server side", StringComparison.Ordinal));
        Assert.Contains(reproduced, l => l.Contains("client side", StringComparison.Ordinal));
    }

    [Fact]
    public void A_finding_number_that_does_not_exist_is_a_usage_error()
    {
        var (code, _, error) = CliHarness.Run("doctor", "--input", Capture, "--scenario", "99");

        Assert.Equal(2, code);
        Assert.Contains("--scenario 99: there are", error, StringComparison.Ordinal);
    }
}
