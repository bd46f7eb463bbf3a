namespace Teardown.Cli.Tests;

[Collection("console")]
public sealed class RunCommandTests
{
    private const string Valid = """
        host client
        host server
        0     server listen L 8080
        0     client connect C server:8080 = 0
        +0.01 server accept S L = 0
        +0.1  client close C = 0
        +0.1  expect C FIN_WAIT2 timer=timewait orphan=yes
        """;

    [Fact]
    public void A_scenario_whose_expectations_hold_exits_0()
    {
        var (code, output, _) = CliHarness.Run("run", CliHarness.TempScenario(Valid), "--quiet");
        Assert.Equal(0, code);
        Assert.Contains("1 of 1 scenarios passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_expectation_exits_1_and_names_the_line_with_expected_and_observed()
    {
        string path = CliHarness.TempScenario(Valid.Replace("FIN_WAIT2 timer=timewait", "TIME_WAIT", StringComparison.Ordinal));
        var (code, output, _) = CliHarness.Run("run", path, "--quiet");
        Assert.Equal(1, code);
        Assert.Contains($"FAIL {path}:7:", output, StringComparison.Ordinal);
        Assert.Contains("expected C TIME_WAIT", output, StringComparison.Ordinal);
        Assert.Contains("observed C FIN_WAIT2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_scenario_exits_2_with_file_line_column_and_runs_nothing()
    {
        string path = CliHarness.TempScenario("host client\n0 client frobnicate C\n");
        var (code, output, error) = CliHarness.Run("run", path);
        Assert.Equal(2, code);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}:2:\d+: ", error);
        Assert.DoesNotContain("scenarios passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_exits_2_without_a_stack_trace()
    {
        var (code, output, error) = CliHarness.Run("run", "/nonexistent/nothing.scn");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/nothing.scn", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        var (code, output, error) = CliHarness.Run("run", "x.scn", "--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("frobnicate", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public void An_unknown_target_is_a_usage_error()
    {
        var (code, _, _) = CliHarness.Run("run", CliHarness.TempScenario(Valid), "--target", "mars");
        Assert.Equal(2, code);
    }

    [Fact]
    public void Help_describes_the_command_and_exits_0()
    {
        var (code, output, _) = CliHarness.Run("run", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--target", output, StringComparison.Ordinal);
        Assert.Contains("--json", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_is_one_object_per_line()
    {
        var (code, output, _) = CliHarness.Run("run", CliHarness.TempScenario(Valid), "--json");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (string line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            Assert.Equal(System.Text.Json.JsonValueKind.Object, doc.RootElement.ValueKind);
        }
    }
}

[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;
