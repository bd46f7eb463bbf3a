using System.Text.Json;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Tests.Syntax;

namespace Teardown.Scenarios.Tests.Rendering;

public class ComparisonRendererTests
{
    private static readonly Teardown.Scenarios.Syntax.Scenario s_scenario = ParseAssert.Parses("scenario \"diff\"\nhost a\nhost b\n0 a listen L 1");

    private static Comparison Sample() => new(
        [
            new Divergence(s_scenario.Timeline[0], Aspects.Result, "= 0", "= -1 EADDRINUSE"),
            new Divergence(null, Aspects.Counter, new string('m', 70), "b X = 1") { At = TimeSpan.FromSeconds(2) },
        ],
        [new AspectSummary(Aspects.Result, 1, 1), new AspectSummary(Aspects.Counter, 1, 1)]);

    [Fact]
    public void Text_report_has_summary_and_side_by_side_divergences()
    {
        using var w = new StringWriter();
        ComparisonRenderer.Render(Sample(), s_scenario, w);
        string text = w.ToString();
        Assert.StartsWith("model vs kernel: diff\n", text);
        Assert.Contains("result               1         1", text);
        Assert.Contains("  0.000s      4  result        = 0", text);
        Assert.Contains(" | = -1 EADDRINUSE", text);
        Assert.Contains("  2.000s    end  counter       " + new string('m', 70) + "\n", text);
        Assert.EndsWith("2 divergence(s)\n", text);
    }

    [Fact]
    public void Agreement_is_said_plainly()
    {
        using var w = new StringWriter();
        ComparisonRenderer.Render(new Comparison([], []), s_scenario, w);
        Assert.Contains("no divergence: the model agrees with the kernel", w.ToString());
    }

    [Fact]
    public void Json_report_parses_back()
    {
        using var w = new StringWriter();
        ComparisonJsonWriter.Write(Sample(), w);
        JsonElement[] lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.Equal(["summary", "summary", "divergence", "divergence"], lines.Select(l => l.GetProperty("type").GetString()));
        Assert.Equal(4, lines[2].GetProperty("line").GetInt32());
        Assert.Equal("a listen L 1", lines[2].GetProperty("statement").GetString());
        Assert.Equal(JsonValueKind.Null, lines[3].GetProperty("line").ValueKind);
        Assert.Equal(2.0, lines[3].GetProperty("time").GetDouble());
    }
}
