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

    /// <summary>
    /// The demo's host after <c>teardown release</c> of every CLOSE_WAIT its application held: those sockets
    /// are gone from the table, and the ledger says the application still holds their descriptors. What is
    /// left is what release does not apply to, and one finding for the held descriptors.
    /// </summary>
    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Doctor_after_release_names_the_descriptors_the_application_still_holds()
    {
        var demo = Teardown.Doctor.Input.CaptureJson.Read(File.ReadAllBytes(DemoCapture));
        // Every CLOSE_WAIT the application held (inode ≠ 0), with its class as the doctor gave it.
        var stuck = Teardown.Doctor.Analysis.StuckSockets.Of(demo, Teardown.Doctor.Analysis.DoctorAnalysis.Analyze(demo))
            .Where(s => s.State == "CLOSE-WAIT" && s.Inode != 0 && s.Fd is int).ToDictionary(s => s.Inode);
        var at = demo.TakenAt.AddSeconds(-5);
        var released = demo.Sockets.Where(s => stuck.ContainsKey(s.Inode)).ToList();
        var held = released.Select(s => new Teardown.Linux.Ledger.LedgerEntry(at, Teardown.Linux.Ledger.LedgerAction.Release, Teardown.Linux.Ledger.LedgerOutcome.Released,
            null, null, demo.NetNsInode, s.Cookie, s.Local.ToString(), s.Remote.ToString(), s.Inode, "CLOSE_WAIT",
            Teardown.Doctor.Classification.ClassNames.Id(stuck[s.Inode].Class), stuck[s.Inode].Pid, stuck[s.Inode].Fd, "dotnet", 0, 4242)).ToList();
        Assert.Equal(415, held.Count);
        var gone = stuck.Keys.ToHashSet();
        var after = demo with { Sockets = [.. demo.Sockets.Where(s => !gone.Contains(s.Inode))], HeldAfterAction = [.. held] };
        string path = Path.Combine(Path.GetTempPath(), $"teardown-after-release-{Guid.NewGuid():N}.capture.json");
        try
        {
            using (var file = File.Create(path))
            using (var w = new System.Text.Json.Utf8JsonWriter(file))
            {
                Teardown.Doctor.Input.CaptureJson.Write(w, after);
            }

            var (code, stdout, stderr) = CliHarness.RunSized(80, 24, ["doctor", "--input", path, "--details", "1"]);
            Assert.True(code == 1, $"exit {code}: {stderr}");
            Approvals.Verify(Scrub(stdout));
        }
        finally
        {
            File.Delete(path);
        }
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
