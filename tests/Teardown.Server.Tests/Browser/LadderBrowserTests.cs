using Microsoft.Playwright;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Teardown.Server.Tests.Browser;

/// <summary>The ladder diagram (`teardown run FILE --html/--svg`) rendered by a real browser.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class LadderBrowserTests(ChromiumFixture chromium, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task The_ladder_page_shows_the_arrows_states_and_calls_of_the_central_case()
    {
        var session = chromium.Session;
        var parsed = ScenarioParser.ParseFile(Path.Combine(RepoPaths.Root, "scenarios/seed/07-close-wait-write-gets-rst.scn"));
        var trace = new ModelTarget().Play(parsed.Scenario!);
        string dir = Directory.CreateTempSubdirectory("teardown-ladder-").FullName;
        try
        {
            string html = Path.Combine(dir, "ladder.html");
            string svg = Path.Combine(dir, "ladder.svg");
            await File.WriteAllTextAsync(html, LadderHtml.Render(trace));
            await File.WriteAllTextAsync(svg, LadderSvg.Render(trace));

            await using (var page = await session.OpenAsync(new Uri(html), width: 1100, height: 1000))
            {
                var segments = page.Page.Locator("g[data-role='segment']");
                await Expect(segments).ToHaveCountAsync(trace.OfType<Teardown.Scenarios.Tracing.SegmentTraced>().Count());
                await Expect(page.Page.Locator("g[data-role='segment'][data-flags='R']")).ToHaveCountAsync(1);
                await Expect(page.Page.Locator("g[data-role='segment'][data-flags='R'] text")).ToHaveTextAsync("R seq=2 ack=0");
                await Expect(page.Page.Locator("text[data-role='state']", new() { HasTextString = "S: ESTABLISHED → CLOSE_WAIT" })).ToBeVisibleAsync();
                await Expect(page.Page.Locator("text[data-role='call']", new() { HasTextString = "send S 10 = -1 EPIPE" })).ToBeVisibleAsync();
                // Drawn, not just present: the diagram has a real size on the page.
                var box = await page.Page.Locator("svg").BoundingBoxAsync();
                Assert.True(box is { Width: > 600, Height: > 400 }, $"svg box {box?.Width}x{box?.Height}");
                output.WriteLine("screenshot: " + await page.ScreenshotAsync("ladder-html", fullPage: false));
                Assert.Empty(page.Problems);
            }

            await using (var page = await session.OpenAsync(new Uri(svg), width: 1100, height: 1000))
            {
                await Expect(page.Page.Locator("text[data-role='title']")).ToContainTextAsync("writing from CLOSE_WAIT to a dead peer");
                output.WriteLine("screenshot: " + await page.ScreenshotAsync("ladder-svg", fullPage: false));
                Assert.Empty(page.Problems);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task The_diff_page_draws_both_ladders_and_highlights_a_divergence_on_each()
    {
        var session = chromium.Session;
        var parsed = ScenarioParser.ParseFile(Path.Combine(RepoPaths.Root, "scenarios/seed/07-close-wait-write-gets-rst.scn"));
        var trace = new ModelTarget().Play(parsed.Scenario!);
        var send = trace.OfType<Teardown.Scenarios.Tracing.CallTraced>().First(c => c.Line.Text.Contains("send S 10", StringComparison.Ordinal));
        var comparison = new Teardown.Scenarios.Checking.Comparison(
            [new Teardown.Scenarios.Checking.Divergence(send.Line, Teardown.Scenarios.Checking.Aspects.Result, "= 10", "= -1 EPIPE") { At = send.At }], []);
        string dir = Directory.CreateTempSubdirectory("teardown-diff-").FullName;
        try
        {
            string html = Path.Combine(dir, "diff.html");
            await File.WriteAllTextAsync(html, DiffHtml.Render(trace, trace, comparison));
            await using var page = await session.OpenAsync(new Uri(html), width: 1600, height: 1000);
            await Expect(page.Page.GetByTestId("verdict")).ToContainTextAsync("1 divergence(s)");
            await Expect(page.Page.GetByTestId("divergence")).ToContainTextAsync("= -1 EPIPE");
            await Expect(page.Page.Locator("[data-testid='model'] svg")).ToBeVisibleAsync();
            await Expect(page.Page.Locator("[data-testid='kernel'] svg")).ToBeVisibleAsync();
            await Expect(page.Page.Locator("[data-role='divergence']")).ToHaveCountAsync(2);
            output.WriteLine("screenshot: " + await page.ScreenshotAsync("diff-html", fullPage: false));
            Assert.Empty(page.Problems);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
