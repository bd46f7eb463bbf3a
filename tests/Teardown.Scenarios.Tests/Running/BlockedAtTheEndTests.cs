using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Tests.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Tests.Running;

/// <summary>A connect that has not returned when the scenario ends is said to be still blocked, not "not performed".</summary>
public class BlockedAtTheEndTests
{
    // The SYNs are dropped: connect() retransmits and is still waiting at 1 s, when the scenario ends.
    private const string Scenario = "host client\nhost server\n0 server listen L 80\n0 net drop client->server\n0.25 client connect C server:80 = 0\n1 expect C SYN_SENT\n";

    private static ScenarioTrace Play() => new ModelTarget().Play(ParseAssert.Parses(Scenario));

    [Fact]
    public void The_trace_records_the_blocked_call_with_when_it_started()
    {
        CallBlockedTraced blocked = Assert.Single(Play().OfType<CallBlockedTraced>());
        Assert.Equal((5, "client"), (blocked.Line.Where.Line, blocked.Host));
        Assert.Equal(TimeSpan.FromSeconds(0.25), blocked.Started);
        Assert.Equal(TimeSpan.FromSeconds(1), blocked.At);
    }

    [Fact]
    public void Its_expected_result_fails_as_still_blocked_when_the_scenario_ended()
    {
        Verdict v = Assert.Single(ExpectationChecker.Check(Play()), v => v.Line.Where.Line == 5);
        Assert.False(v.Passed);
        Assert.Equal("still blocked when the scenario ended", v.Observed);
    }

    [Fact]
    public void The_timeline_says_it_where_the_scenario_ended()
    {
        ScenarioTrace trace = Play();
        var writer = new StringWriter();
        TimelineRenderer.Render(trace, ExpectationChecker.Check(trace), writer);
        string text = writer.ToString();
        string blocked = Assert.Single(text.Split('\n'), l => l.Contains("connect C server:80", StringComparison.Ordinal));
        Assert.Matches(@"^  1\.000s  client +connect C server:80  still blocked when the scenario ended \(called at 0\.250s\)$", blocked);
        Assert.Contains("FAIL line 5: expected = 0, observed still blocked when the scenario ended", text, StringComparison.Ordinal);
        Assert.DoesNotContain("never reached", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_queued_behind_the_blocked_call_is_still_not_performed()
    {
        var trace = new ModelTarget().Play(ParseAssert.Parses(Scenario + "1 client close C = 0\n"));
        Verdict v = Assert.Single(ExpectationChecker.Check(trace), v => v.Line.Where.Line == 7);
        Assert.Equal(ExpectationChecker.NotPerformed, v.Observed);
    }

    [Fact]
    public void The_json_trace_names_it_blocked()
    {
        var writer = new StringWriter();
        JsonTraceWriter.Write(Play(), null, writer);
        Assert.Contains("\"type\":\"blocked\"", writer.ToString().Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
