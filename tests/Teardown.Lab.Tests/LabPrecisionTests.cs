using Teardown.Lab.Differential;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>
/// The lab's self-test (issue 11): a scenario at 1 ms resolution — back-to-back calls, accept 1 ms after
/// connect, sends 1 ms apart, a crash followed at once by the peer's send, a reboot — played on the kernel must keep
/// every line within 1 ms of the instant it could start at p99 and 3 ms at worst, carry packets within
/// 0.2 ms of the link delay at p99, complete a zero-delay handshake within 1 ms, and agree with the model.
/// Precision is a property of the machine's load too: an attempt outside the bounds is retried once, and
/// only a second imprecise attempt fails (with both measurements in the message).
/// </summary>
[Collection("live kernel")]
public sealed class LabPrecisionTests(ITestOutputHelper output)
{
    private const string OneMillisecond = """
        scenario "lab self-test: every line at 1 ms resolution"
        host client
        host server

        0       server listen L 8080                  = 0
        +0.001  client connect C server:8080          = 0
        +0.001  server accept S L                     = 0      # 1 ms after the connect: the handshake took less
        +0.001  client send C 10                      = 10     # sends 1 ms apart
        +0.001  client send C 10                      = 10
        +0.001  client send C 10                      = 10
        +0.001  server recv S 100                     = 30
        +0      server send S 5                       = 5      # back-to-back calls on one host
        +0      server send S 5                       = 5
        +0      server error S                        = 0
        +0.001  client recv C 100                     = 10
        +0.001  client crash
        +0      server send S 7                       = 7      # at once after the crash: no wait for its teardown
        +0.001  server send S 7                       = 7
        +0.05   expect S ESTABLISHED sendq=14
        +0      client reboot                                  # instantaneous: its boot was made before t=0
        +0.3    expect S CLOSE                                 # the loss probe met the fresh kernel: a reset
        +0      server error S                        = ECONNRESET
        """;

    [Fact]
    public async Task OneMillisecondResolution_WithinBounds_AndAgreesWithTheModel()
    {
        if (!LiveKernel.Available(output)) return;
        ParseResult parsed = ScenarioParser.Parse(OneMillisecond, "lab-self-test.scn");
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Diagnostics));
        Scenario scenario = parsed.Scenario!;

        var attempts = new List<string>();
        // Three attempts: on a VM whose idle CPUs halt, a crash's teardown (a process exit, then the namespace's
        // cleanup in a kernel worker) has made the lines just after it 2 ms late in one run of three.
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            output.WriteLine($"attempt {attempt}, load {Load()}");
            ScenarioTrace trace = await new KernelTarget().PlayAsync(scenario, CancellationToken.None);
            LabPrecision p = Assert.IsType<LabPrecision>(trace.Precision);
            output.WriteLine(p.ToString());
            TimeSpan handshake = Handshake(trace);
            output.WriteLine($"handshake (connect call) {handshake.TotalMicroseconds:F0} µs");
            string? imprecise = p.Exceeded ?? (handshake > TimeSpan.FromMilliseconds(1) ? $"handshake {handshake.TotalMicroseconds:F0} µs > 1 ms" : null);
            if (imprecise is not null)
            {
                // The machine was busy (the bounds are an idle machine's): measure once more before judging.
                attempts.Add($"attempt {attempt} (load {Load()}): {imprecise}");
                Trace.Dump(trace, output);
                continue;
            }

            // Precise: now the run must also be right — every expectation, and the model's trace.
            Trace.Dump(trace, output);
            IReadOnlyList<Verdict> failed = ExpectationChecker.Check(trace).Where(v => !v.Passed).ToList();
            Assert.True(failed.Count == 0, string.Join("\n", failed.Select(v => $"{v.Line.Where}: expected {v.Expected}, observed {v.Observed}")));
            Comparison comparison = TraceComparer.Compare(new ModelTarget(1).Play(scenario), trace);
            Assert.True(comparison.Agrees, string.Join("\n", comparison.Divergences.Select(d => d.ToString())));
            return;
        }

        Assert.Fail("lab-imprecise three times: " + string.Join("; ", attempts));
    }

    [Fact]
    public void DiffVerdict_ImpreciseRun_IsNeitherDivergenceNorPass()
    {
        Scenario scenario = ScenarioParser.Parse(OneMillisecond, "lab-self-test.scn").Scenario!;
        var late = new LabPrecision(new DelayStats(10, 200, 4000, 4000), DelayStats.Empty, PrecisionBounds.Default, "7:1");
        var diff = new ScenarioDiff(scenario, null, 0, TimeSpan.Zero, null) { Precision = late };
        Assert.True(diff.LabImprecise);
        Assert.Equal(DiffVerdict.LabImprecise, diff.Verdict);
        Assert.Contains("line lateness p99 4.0 ms > 1 ms", late.Exceeded, StringComparison.Ordinal);
        Assert.Contains("(7:1)", late.Exceeded, StringComparison.Ordinal);

        var onTime = late with { Lines = new DelayStats(10, 200, 900, 2900) };
        Assert.True(onTime.Precise);
        Assert.Null(onTime.Exceeded);
    }

    [Fact]
    public void DelayStats_NearestRankPercentiles()
    {
        DelayStats s = DelayStats.Of(Enumerable.Range(1, 200).Select(i => (double)i));
        Assert.Equal(100, s.P50Us);
        Assert.Equal(198, s.P99Us);
        Assert.Equal(200, s.MaxUs);
        Assert.Equal(DelayStats.Empty, DelayStats.Of([]));
    }

    private static TimeSpan Handshake(ScenarioTrace trace) =>
        trace.OfType<CallTraced>().Where(c => c.Line.Statement is ConnectCall).Select(c => c.Returned - c.At).DefaultIfEmpty(TimeSpan.MaxValue).Max();

    private static string Load()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "unknown"; }
    }
}
