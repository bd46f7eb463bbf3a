namespace Teardown.Cli.Tests;

/// <summary><c>doctor --html FILE</c>: the report as one self-contained page.</summary>
public sealed class DoctorHtmlTests
{
    private static string Capture => Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");

    [Fact]
    public void The_page_holds_every_finding_the_age_charts_owners_and_ports_and_nothing_from_outside()
    {
        string path = Path.Combine(Path.GetTempPath(), $"teardown-doctor-{Guid.NewGuid():N}.html");
        try
        {
            var (code, brief, error) = CliHarness.Run("doctor", "--input", Capture, "--brief", "--html", path);

            Assert.Equal(1, code); // findings, as without --html
            Assert.Contains($"wrote {path}", error, StringComparison.Ordinal);
            string html = File.ReadAllText(path);
            int findings = brief.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.StartsWith('#'));
            Assert.Equal(findings, CountOf(html, "data-testid=\"finding\""));
            Assert.Contains("data-testid=\"ages-close_wait\"", html, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"ages-fin_wait2\"", html, StringComparison.Ordinal);
            Assert.Contains("dotnet (30660)", html, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:8082", html, StringComparison.Ordinal);
            Assert.Contains("teardown release --pid 30660", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unwritable_path_is_a_usage_error_with_the_reason()
    {
        var (code, _, error) = CliHarness.Run("doctor", "--input", Capture, "--html", "/nonexistent-dir/report.html");

        Assert.Equal(2, code);
        Assert.Contains("cannot write /nonexistent-dir/report.html", error, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
