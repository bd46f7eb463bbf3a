using System.Text.Json;

namespace Teardown.Cli.Tests;

public class DoctorCaptureTests
{
    private static string DemoCapture => Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");

    [Fact]
    public void Input_AnalysesASavedCapture_WithoutRoot()
    {
        var (code, stdout, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--json");
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        var ns = doc.RootElement.GetProperty("namespaces")[0];
        Assert.Equal(50, ns.GetProperty("summary").GetProperty("byClass").GetProperty("close-wait-never-accepted").GetInt32());
        Assert.Equal("high", ns.GetProperty("findings")[0].GetProperty("severity").GetString());
    }

    [Fact]
    public void Input_Tables_ShowFindingsFirst_ThenTheSummary()
    {
        var (code, stdout, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--details", "2");
        Assert.Equal(1, code);
        int findings = stdout.IndexOf("Findings", StringComparison.Ordinal);
        int summary = stdout.IndexOf("by state", StringComparison.Ordinal);
        Assert.True(findings >= 0 && summary > findings, stdout);
        Assert.Contains("tcp_fin_timeout", stdout, StringComparison.Ordinal);
        Assert.Contains("12 more findings", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_NotACapture_IsAUsageError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"teardown-not-capture-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"schema\":\"nope\"}");
        try
        {
            var (code, stdout, stderr) = CliHarness.Run("doctor", "--input", path);
            Assert.Equal(2, code);
            Assert.Contains("not a teardown.capture/1 capture", stderr, StringComparison.Ordinal);
            Assert.Empty(stdout);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Save_ThenInput_GivesTheSameCounts()
    {
        string path = Path.Combine(Path.GetTempPath(), $"teardown-capture-{Guid.NewGuid():N}.json");
        try
        {
            var (code1, live, _) = CliHarness.Run("doctor", "--json", "--save", path);
            var (code2, replay, _) = CliHarness.Run("doctor", "--json", "--input", path);
            using var a = JsonDocument.Parse(live);
            using var b = JsonDocument.Parse(replay);
            string Counts(JsonDocument d) => d.RootElement.GetProperty("namespaces")[0].GetProperty("summary").GetRawText();
            Assert.Equal(Counts(a), Counts(b));
            Assert.Equal(code1, code2);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
