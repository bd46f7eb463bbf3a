namespace Teardown.Cli.Tests;

/// <summary><c>teardown fuzz</c>: the model-only mode runs anywhere; usage errors exit 2.</summary>
[Collection("console")]
public sealed class FuzzCommandTests
{
    [Fact]
    public void On_the_model_every_property_holds_and_it_exits_0_with_a_summary()
    {
        var (code, output, error) = CliHarness.Run("fuzz", "--target", "model", "--count", "20", "--seed", "7", "--max-duration", "20s");
        Assert.Equal(0, code);
        Assert.Contains("20 of 20 scenarios: every model property holds", output, StringComparison.Ordinal);
        Assert.Contains("scenarios/min", output, StringComparison.Ordinal);
        Assert.Contains("repeat with --seed 7", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_plays_the_same_scenarios()
    {
        var a = CliHarness.Run("fuzz", "--target", "model", "--count", "5", "--seed", "42");
        var b = CliHarness.Run("fuzz", "--target", "model", "--count", "5", "--seed", "42");
        Assert.Equal(a.Out.Split('\n')[0], b.Out.Split('\n')[0]);
        Assert.Equal(a.Err, b.Err);
    }

    [Theory]
    [InlineData("--target", "kernel")]
    [InlineData("--count", "0")]
    [InlineData("--budget", "soon")]
    [InlineData("--resolution", "0ms")]
    [InlineData("--jobs", "0")]
    public void A_bad_option_is_a_usage_error(string option, string value)
    {
        var (code, output, error) = CliHarness.Run("fuzz", option, value);
        Assert.Equal(2, code);
        Assert.Contains(option.TrimStart('-'), error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [SkippableFact]
    public void Sigterm_stops_the_whole_campaign_not_only_the_run_playing_and_cleans_up()
    {
        Require.RootOrSkip();
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        string findings = Path.Combine(Path.GetTempPath(), $"teardown-fuzz-{Guid.NewGuid():N}");
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "fuzz", "--count", "50", "--seed", "29990001", "--jobs", "1", "--shrink-tries", "0", "--out", findings })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        try
        {
            // The banner comes before the first kernel run starts; give the run time to be in its timeline.
            string? banner = p.StandardError.ReadLine();
            Assert.StartsWith("teardown fuzz: 50 scenarios", banner, StringComparison.Ordinal);
            var stderr = p.StandardError.ReadToEndAsync();
            Thread.Sleep(3000);
            Assert.Equal(0, Signals.Kill(p.Id, Signals.SigTerm));

            // Before: the run playing was cancelled, counted as a lab error, and the campaign went on with the next.
            Assert.True(p.WaitForExit(15_000), "fuzz went on after SIGTERM");
            Assert.Equal(130, p.ExitCode);
            Assert.Contains("interrupted", stderr.Result, StringComparison.Ordinal);
            Assert.DoesNotContain(System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true })!.StandardOutput.ReadToEnd().Split('\n'),
                ns => ns.StartsWith($"td-{p.Id}-", StringComparison.Ordinal));
        }
        finally
        {
            if (!p.HasExited) p.Kill();
            if (Directory.Exists(findings)) Directory.Delete(findings, recursive: true);
        }

        _ = stdout.Result;
    }

    [Fact]
    public void Help_teaches_the_targets_the_seed_and_the_output_directory()
    {
        var (code, output, _) = CliHarness.Run("fuzz", "--help");
        Assert.Equal(0, code);
        foreach (string word in new[] { "--seed", "--count", "--jobs", "--out", "--budget", "--target", "diff", "model", "shrunk", "fuzz --target model" })
        {
            Assert.Contains(word, output, StringComparison.Ordinal);
        }
    }
}
