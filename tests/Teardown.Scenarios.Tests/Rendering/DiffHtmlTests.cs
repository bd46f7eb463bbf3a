using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Tests.Rendering;

/// <summary>The side-by-side page of a diff: both ladders, the divergences listed and highlighted on both sides.</summary>
public sealed class DiffHtmlTests
{
    private static ScenarioTrace Play()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Teardown.slnx"))) dir = dir.Parent;
        var parsed = ScenarioParser.ParseFile(Path.Combine(dir.FullName, "scenarios/seed/07-close-wait-write-gets-rst.scn"));
        return new ModelTarget().Play(parsed.Scenario!);
    }

    [Fact]
    public void Agreeing_traces_say_so_and_highlight_nothing()
    {
        var trace = Play();

        string html = DiffHtml.Render(trace, trace, TraceComparer.Compare(trace, trace));

        Assert.Contains("The model and the kernel agree.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-role=\"divergence\"", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("<svg xmlns=\"http://www.w3.org/2000/svg\"").Length - 1);
    }

    [Fact]
    public void A_divergent_result_is_listed_and_highlighted_on_both_sides()
    {
        var trace = Play();
        var send = trace.OfType<CallTraced>().First(c => c.Line.Text.Contains("send S 10", StringComparison.Ordinal));
        var comparison = new Comparison([new Divergence(send.Line, Aspects.Result, "= 10", "= -1 EPIPE") { At = send.At }], []);

        string html = DiffHtml.Render(trace, trace, comparison);

        Assert.Contains("1 divergence(s)", html, StringComparison.Ordinal);
        Assert.Contains("<td>= -1 EPIPE</td>", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("data-role=\"divergence\"").Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }
}
