using System.Text.Json;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;

namespace Teardown.Scenarios.Tests.Rendering;

public class JsonTraceWriterTests
{
    private static JsonElement[] Lines()
    {
        TraceBuilder b = SampleTrace.Build();
        using var writer = new StringWriter();
        JsonTraceWriter.Write(b.Trace, ExpectationChecker.Check(b.Trace), writer);
        return writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }

    [Fact]
    public void Every_line_parses_back_and_has_a_type()
    {
        JsonElement[] lines = Lines();
        Assert.Equal(1 + SampleTrace.Build().Trace.Entries.Count + 8, lines.Length);
        Assert.All(lines, l => Assert.Equal(JsonValueKind.String, l.GetProperty("type").ValueKind));
        Assert.Equal(
            ["scenario", "call", "transition", "call", "segment", "timer", "transition", "call", "network", "segment", "transition", "counter",
             "observation", "observation", "observation", "note", "call", "transition", "verdict", "verdict", "verdict", "verdict", "verdict", "verdict", "verdict", "verdict"],
            lines.Select(l => l.GetProperty("type").GetString()));
    }

    [Fact]
    public void Scenario_line_carries_hosts_and_tolerance()
    {
        JsonElement s = Lines()[0];
        Assert.Equal("model", s.GetProperty("target").GetString());
        Assert.Equal("192.0.2.2", s.GetProperty("hosts")[1].GetProperty("address").GetString());
        Assert.Equal(0.05, s.GetProperty("tolerance").GetProperty("absolute").GetDouble());
    }

    [Fact]
    public void Calls_have_numeric_times_and_results()
    {
        JsonElement call = Lines().First(l => l.GetProperty("type").GetString() == "call" && l.GetProperty("line").GetInt32() == 12);
        Assert.Equal(2.0, call.GetProperty("time").GetDouble());
        Assert.Equal(3.01, call.GetProperty("returned").GetDouble());
        Assert.Equal(0, call.GetProperty("value").GetInt64());
        Assert.Equal(JsonValueKind.Null, call.GetProperty("errno").ValueKind);
        Assert.Equal("client close C", call.GetProperty("statement").GetString());
    }

    [Fact]
    public void Segments_and_transitions_use_notation_and_linux_names()
    {
        JsonElement[] lines = Lines();
        JsonElement fin = lines.Where(l => l.GetProperty("type").GetString() == "segment").ElementAt(1);
        Assert.Equal(("F.", true, 1.1), (fin.GetProperty("flags").GetString(), fin.GetProperty("dropped").GetBoolean(), fin.GetProperty("time").GetDouble()));
        JsonElement gone = lines.Last(l => l.GetProperty("type").GetString() == "transition");
        Assert.Equal(("FIN_WAIT2", "GONE"), (gone.GetProperty("from").GetString(), gone.GetProperty("to").GetString()));
    }

    [Fact]
    public void Observations_and_verdicts_round_trip()
    {
        JsonElement[] lines = Lines();
        JsonElement observed = lines.First(l => l.GetProperty("type").GetString() == "observation").GetProperty("observed");
        Assert.Equal(("end", "FIN_WAIT2", "keepalive", 0.5), (observed.GetProperty("kind").GetString(), observed.GetProperty("state").GetString(),
            observed.GetProperty("timer").GetString(), observed.GetProperty("expires").GetDouble()));
        JsonElement failed = lines.First(l => l.GetProperty("type").GetString() == "verdict" && !l.GetProperty("passed").GetBoolean());
        Assert.Equal(9, failed.GetProperty("line").GetInt32());
        Assert.Equal("C FIN_WAIT2 timer=timewait", failed.GetProperty("expected").GetString());
    }
}
