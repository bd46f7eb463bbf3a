using Teardown.Doctor.Analysis;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Tests;

/// <summary>Doctor reports for rendering and exit-code tests, from the saved demo capture.</summary>
internal static class Reports
{
    private static readonly Lazy<DoctorReport> Demo = new(() =>
        DoctorAnalysis.Analyze(CaptureJson.Read(File.ReadAllBytes(Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json")))));

    /// <summary>The demo's report, with or without its findings, seen whole or in part.</summary>
    internal static DoctorReport WithFindings(bool partial, bool findings = true, bool many = false)
    {
        var report = Demo.Value;
        if (!findings) report = report with { Findings = [] };
        if (partial) report = report with { BlindSpots = [new BlindSpot(BlindSpotKind.NamespaceUnavailable, "2 namespaces could not be opened")] };
        _ = many; // the demo has 14 findings: more than 80×24 can show
        return report;
    }
}
