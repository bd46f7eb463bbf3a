namespace Teardown.Cli.Tests;

/// <summary><c>diff FILE --html</c> and <c>run FILE --svg/--html</c>: the pictures are written beside the usual output.</summary>
public sealed class DiffHtmlCommandTests
{
    private static string Seed07 => Path.Combine(CliHarness.RepoRoot, "scenarios", "seed", "07-close-wait-write-gets-rst.scn");

    [SkippableFact]
    public void Diff_html_draws_model_and_kernel_side_by_side()
    {
        Require.RootOrSkip();
        string path = Path.Combine(Path.GetTempPath(), $"teardown-diff-{Guid.NewGuid():N}.html");
        try
        {
            var (code, _, error) = CliHarness.Run("diff", Seed07, "--html", path);

            Assert.True(code is 0 or 3, error); // agrees, or lab-imprecise on a busy machine
            string html = File.ReadAllText(path);
            Assert.Contains("data-testid=\"model\"", html, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"kernel\"", html, StringComparison.Ordinal);
            Assert.Equal(2, html.Split("<svg xmlns=\"http://www.w3.org/2000/svg\"").Length - 1);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Pictures_of_several_scenarios_at_once_are_a_usage_error()
    {
        var (code, _, error) = CliHarness.Run("run", Path.Combine(CliHarness.RepoRoot, "scenarios", "seed"), "--svg", "/tmp/x.svg");

        Assert.Equal(2, code);
        Assert.Contains("--svg and --html draw one scenario", error, StringComparison.Ordinal);
    }
}
