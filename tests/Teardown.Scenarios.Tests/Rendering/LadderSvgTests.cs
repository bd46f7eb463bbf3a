using System.Xml.Linq;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Tests.Rendering;

/// <summary>Ladder diagrams: valid SVG with one arrow per segment and every state change, the same bytes every time.</summary>
public sealed class LadderSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Teardown.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    private static ScenarioTrace Play(string relative)
    {
        var parsed = ScenarioParser.ParseFile(Path.Combine(Root, relative));
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Diagnostics));
        return new ModelTarget().Play(parsed.Scenario!);
    }

    public static TheoryData<string> Catalogue() =>
        [.. Directory.GetFiles(Path.Combine(Root, "scenarios"), "*.scn", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Catalogue))]
    public void Every_catalogue_scenario_draws_as_valid_svg_with_an_arrow_per_segment_and_every_state_change(string scenario)
    {
        var trace = Play(scenario);

        var doc = XDocument.Parse(LadderSvg.Render(trace));

        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var groups = doc.Descendants(Svg + "g").ToList();
        Assert.Equal(trace.OfType<SegmentTraced>().Count(), groups.Count(g => (string?)g.Attribute("data-role") == "segment"));
        Assert.Equal(trace.OfType<SegmentTraced>().Count(s => s.Dropped), groups.Count(g => (string?)g.Attribute("data-dropped") == "true"));
        var states = doc.Descendants(Svg + "text").Where(t => (string?)t.Attribute("data-role") == "state").ToList();
        Assert.Equal(trace.OfType<TransitionTraced>().Count(), states.Count);
        Assert.Equal(trace.Scenario.Hosts.Count, groups.Count(g => g.Attribute("data-host") is not null));
    }

    [Fact]
    public void The_same_scenario_draws_the_same_bytes()
    {
        const string scenario = "scenarios/seed/05-fin-wait1-unresponsive-peer.scn";

        Assert.Equal(LadderSvg.Render(Play(scenario)), LadderSvg.Render(Play(scenario)));
    }

    [Fact]
    public void The_readme_ladder_is_what_the_command_draws_today()
    {
        // Regenerate with: ./teardown run scenarios/seed/07-close-wait-write-gets-rst.scn --svg docs/pictures/ladder-close-wait-write-gets-rst.svg
        string checkedIn = File.ReadAllText(Path.Combine(Root, "docs/pictures/ladder-close-wait-write-gets-rst.svg"));

        Assert.Equal(checkedIn, LadderSvg.Render(Play("scenarios/seed/07-close-wait-write-gets-rst.scn")));
    }

    [Fact]
    public void The_central_case_shows_the_kill_the_close_wait_and_the_write_that_meets_a_reset()
    {
        var doc = XDocument.Parse(LadderSvg.Render(Play("scenarios/seed/07-close-wait-write-gets-rst.scn")));
        var texts = doc.Descendants(Svg + "text").Select(t => t.Nodes().OfType<XText>().Aggregate("", (a, n) => a + n.Value)).ToList();

        Assert.Contains("kill = 0", texts);
        Assert.Contains("S: ESTABLISHED → CLOSE_WAIT", texts);
        Assert.Contains("send S 10 = 10", texts);
        Assert.Contains("R seq=2 ack=0", texts);
        Assert.Contains("send S 10 = -1 EPIPE", texts);
        // Timers are brackets: the client's orphaned FIN_WAIT2 timewait timer, fired.
        Assert.Contains(doc.Descendants(Svg + "g"), g => (string?)g.Attribute("data-kind") == "timewait");
    }

    [Fact]
    public void The_html_page_is_self_contained_and_embeds_the_drawing()
    {
        string html = LadderHtml.Render(Play("scenarios/seed/07-close-wait-write-gets-rst.scn"));

        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
