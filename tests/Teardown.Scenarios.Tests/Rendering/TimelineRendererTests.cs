using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;

namespace Teardown.Scenarios.Tests.Rendering;

public class TimelineRendererTests
{
    private static string Render(bool withVerdicts = true)
    {
        TraceBuilder b = SampleTrace.Build();
        using var writer = new StringWriter();
        TimelineRenderer.Render(b.Trace, withVerdicts ? ExpectationChecker.Check(b.Trace) : null, writer);
        return writer.ToString();
    }

    [Fact]
    public void Header_names_title_target_and_hosts()
    {
        string[] lines = Render().Split('\n');
        Assert.Equal("\"sample\" (t.scn) on model", lines[0]);
        Assert.Equal("hosts: client 192.0.2.1, server 192.0.2.2", lines[1]);
    }

    [Fact]
    public void Calls_show_statement_result_and_return_time() =>
        Assert.Contains("  0.000s  client         connect C server:80 = 0  (returned 0.001s)", Render());

    [Fact]
    public void Transitions_show_from_to_and_cause()
    {
        string text = Render();
        Assert.Contains("  1.200s  client         C: FIN_WAIT1 → FIN_WAIT2 (ACK of our FIN)", text);
        Assert.Contains("  0.000s  server         L: (new) → LISTEN (listen)", text);
        Assert.Contains("  3.000s  client         C: FIN_WAIT2 → GONE (reaped)", text);
    }

    [Fact]
    public void Segments_show_flags_numbers_and_drops()
    {
        string text = Render();
        Assert.Contains("  0.000s  client→server  [S] seq=0 ack=0 len=0 win=64240\n", text);
        Assert.Contains("  1.100s  client→server  [F.] seq=1 ack=1 len=0 win=502  DROPPED", text);
    }

    [Fact]
    public void Timers_counters_notes_and_network_events_appear()
    {
        string text = Render();
        Assert.Contains("C: timer retransmit armed, expires 1.000s", text);
        Assert.Contains("server         counter TCPAbortOnData = 1", text);
        Assert.Contains("note           transitions by polling", text);
        Assert.Contains("  1.000s  net            drop client->server", text);
    }

    [Fact]
    public void Observations_show_pass_and_fail_with_expected_and_observed()
    {
        string text = Render();
        Assert.Contains("  1.250s  expect         C FIN_WAIT2 timer=timewait  → observed FIN_WAIT2 timer=keepalive expires=0.500s recvq=0 sendq=0 orphan=no", text);
        Assert.Contains("FAIL line 9: expected C FIN_WAIT2 timer=timewait, observed C FIN_WAIT2 timer=keepalive", text);
        Assert.Contains("PASS packets client->server S .", text);
    }

    [Fact]
    public void Lines_never_performed_are_listed_with_a_summary()
    {
        string text = Render();
        Assert.Contains("never reached:\n  4.000s  line 13: 4 server send S 1 = 1\n", text);
        Assert.Contains("FAIL line 13: expected = 1, observed not performed", text);
        Assert.EndsWith("6 passed, 2 failed\n", text);
    }

    [Fact]
    public void Without_verdicts_there_is_no_pass_or_fail()
    {
        string text = Render(withVerdicts: false);
        Assert.DoesNotContain("PASS", text);
        Assert.DoesNotContain("FAIL", text);
        Assert.DoesNotContain("passed", text);
    }
}
