using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>Scenarios written in the .scn language, parsed, played on the kernel and checked by the expectation checker.</summary>
[Collection("live kernel")]
public sealed class LiveParsedScenarioTests(ITestOutputHelper output)
{
    /// <summary>
    /// The example of scenario-format.md, with tcp_fin_timeout=1 and shorter waits so that it runs in ~4 s,
    /// and the accept 0.1 s (not 0.01 s) after the connect: on a loaded 2-core machine the handshake can
    /// take longer than 10 ms of real time.
    /// </summary>
    private const string HalfClosedFinWait2 = """
        scenario "half-closed FIN_WAIT2 never times out; close() hands it to tcp_fin_timeout"
        host client
        host server
        sysctl client net.ipv4.tcp_fin_timeout=1

        0       server listen L 8080
        0       client connect C server:8080          = 0
        +0.1    server accept S L                     = 0
        +0.1    client shutdown C WR                  = 0
        +0.1    expect C FIN_WAIT2 timer=none orphan=no
        +0      expect S CLOSE_WAIT recvq=1           # the FIN counts in Recv-Q until the app reads EOF
        +0      expect packets client->server S . F.
        2       expect C FIN_WAIT2 timer=none         # tcp_fin_timeout does not apply: not orphaned
        +0      client close C                        = 0
        +0.1    expect C FIN_WAIT2 timer=timewait expires=0.9 orphan=yes
        +1.5    expect C GONE                         # reaped silently
        +0      server send S 10                      = 10
        +0.1    expect packets client->server R       # no socket any more: a bare reset
        +0      expect S CLOSE
        +0      server send S 1                       = -1 EPIPE    # a reset in CLOSE_WAIT reports EPIPE
        +0      server recv S 10                      = 0           # end of stream was already queued
        +0      server error S                        = 0           # the error was consumed by send
        """;

    [Fact]
    public async Task FormatDocExample_Shortened_EveryExpectationHoldsOnTheKernel()
    {
        if (!LiveKernel.Available(output)) return;
        ParseResult parsed = ScenarioParser.Parse(HalfClosedFinWait2, "half-closed.scn");
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Diagnostics));
        ScenarioTrace trace = await new KernelTarget().PlayAsync(parsed.Scenario!, CancellationToken.None);
        Trace.Dump(trace, output);
        IReadOnlyList<Verdict> verdicts = ExpectationChecker.Check(trace);
        foreach (Verdict v in verdicts) output.WriteLine($"{(v.Passed ? "PASS" : "FAIL")} {v.Line.Where}: expected {v.Expected}, observed {v.Observed}");
        Assert.Equal(16, verdicts.Count);

        // The kernel trace renders with the shared renderers (timeline text and JSON lines).
        using var text = new StringWriter();
        TimelineRenderer.Render(trace, verdicts, text);
        output.WriteLine(text.ToString());
        Assert.Contains("FIN_WAIT2", text.ToString(), StringComparison.Ordinal);
        using var json = new StringWriter();
        JsonTraceWriter.Write(trace, verdicts, json);
        Assert.All(json.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => System.Text.Json.JsonDocument.Parse(l).Dispose());
        Assert.All(verdicts, v => Assert.True(v.Passed, $"{v.Line.Text.Trim()}: expected {v.Expected}, observed {v.Observed}"));
        Assert.Empty(LiveKernel.OurNamespaces());
    }
}
