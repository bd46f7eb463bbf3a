using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Reporters;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;

namespace Teardown.Cli.Tests;

/// <summary>
/// What people read, tested as they read it: each output is compared with an approved copy in
/// Approved/. A change leaves a *.received.txt beside it; `./accept-output` shows the difference
/// and, when it is right, makes it the approved copy. Inputs are fixed (a saved capture, the model),
/// and the only figures that vary between runs (wall times) are scrubbed.
/// </summary>
[UseReporter(typeof(QuietReporter))]
[UseApprovalSubdirectory("Approved")]
public sealed partial class ApprovedOutputTests
{
    private static string DemoCapture => Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Doctor_tables_and_panels_at_80_columns() => Approvals.Verify(Doctor(80, "--details", "2"));

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Doctor_tables_and_panels_at_160_columns() => Approvals.Verify(Doctor(160, "--details", "2"));

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Doctor_brief() => Approvals.Verify(Doctor(80, "--brief"));

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Doctor_json() => Approvals.Verify(Doctor(80, "--json"));

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Timeline_of_a_scenario_on_the_model() =>
        Approvals.Verify(Scrub(CliHarness.Run("run", Path.Combine(CliHarness.RepoRoot, "scenarios", "seed", "08-orphan-fin-wait2-reaped.scn")).Out));

    /// <summary>
    /// The diff report, from two model runs that differ in one sysctl: the same shape a kernel
    /// divergence has, but reproducible to the byte.
    /// </summary>
    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Diff_report_of_a_divergence()
    {
        string path = Path.Combine(CliHarness.RepoRoot, "scenarios", "seed", "08-orphan-fin-wait2-reaped.scn");
        string text = File.ReadAllText(path);
        var expected = ScenarioParser.Parse(text, "08-orphan-fin-wait2-reaped.scn").Scenario!;
        var changed = ScenarioParser.Parse(text.Replace("tcp_fin_timeout=5", "tcp_fin_timeout=7", StringComparison.Ordinal), "08-orphan-fin-wait2-reaped.scn").Scenario!;
        var comparison = TraceComparer.Compare(new ModelTarget(1).Play(expected), new ModelTarget(1).Play(changed));
        Assert.False(comparison.Agrees);
        var writer = new StringWriter();
        ComparisonRenderer.Render(comparison, expected, writer);
        Approvals.Verify(writer.ToString());
    }

    private static string Doctor(int width, params string[] options)
    {
        var (code, stdout, stderr) = CliHarness.RunSized(width, 24, ["doctor", "--input", DemoCapture, .. options]);
        Assert.True(code == 1, $"exit {code}: {stderr}");
        return Scrub(stdout);
    }

    // Wall times are the only figures that change from run to run; the checkout's path changes from clone to clone.
    private static string Scrub(string text) =>
        ElapsedJson().Replace(WallTime().Replace(text, "$1 ### ms"), "\"elapsedMs\": ###").Replace(CliHarness.RepoRoot, "<repo>", StringComparison.Ordinal);

    [GeneratedRegex(@"(namespace\(s\),) \d+ ms")]
    private static partial Regex WallTime();

    [GeneratedRegex(@"""elapsedMs"": [\d.]+")]
    private static partial Regex ElapsedJson();
}
