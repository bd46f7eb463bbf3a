using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Teardown.Server.Tests.Browser;

/// <summary>
/// The live page in a real browser, against the API contract served from fixture files, under
/// Content-Security-Policy: default-src 'self' (a violation shows up as a console error).
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class PageTests(ChromiumFixture chromium, ITestOutputHelper output)
{
    /// <summary>Set by app.js after each poll is drawn; "true" once a report has arrived.</summary>
    private const string Loaded = "html[data-loaded='true']";

    [SkippableFact]
    public async Task Page_renders_counts_and_a_finding_from_a_fixture_server()
    {
        var session = chromium.Session;
        await using var server = await FixtureServer.StartAsync();
        await using var watched = await session.OpenAsync(server.BaseAddress);
        var page = watched.Page;
        await page.WaitForSelectorAsync(Loaded, new() { State = WaitForSelectorState.Attached });

        Assert.Contains("default-src 'self'", await watched.DocumentResponse!.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);

        // Counts: the tile says what the fixture's summary.byState says.
        await Expect(page.GetByTestId("state-count-close_wait")).ToHaveTextAsync("465");
        await Expect(page.GetByTestId("state-count-fin_wait2")).ToHaveTextAsync("470");
        await Expect(page.GetByTestId("health")).ToContainTextAsync("need attention");

        // Findings: all of them, most severe first, and one opens onto its explanation.
        using var report = JsonDocument.Parse(RepoPaths.Fixture("report.json"));
        var findings = report.RootElement.GetProperty("namespaces")[0].GetProperty("findings");
        var first = findings[0];
        await Expect(page.GetByTestId("finding")).ToHaveCountAsync(findings.GetArrayLength());
        var shown = page.GetByTestId("finding").First;
        await Expect(shown.GetByTestId("finding-title")).ToHaveTextAsync(first.GetProperty("title").GetString()!);
        await Expect(shown.GetByTestId("finding-severity")).ToHaveTextAsync("high");
        await Expect(shown.GetByTestId("finding-fix")).Not.ToBeVisibleAsync();
        await shown.Locator("summary").First.ClickAsync();
        await Expect(shown.GetByTestId("finding-fix")).ToBeVisibleAsync();
        await Expect(shown.GetByTestId("finding-fix").Locator("li")).ToHaveCountAsync(first.GetProperty("fix").GetArrayLength());
        await Expect(shown.GetByTestId("finding-reap")).ToContainTextAsync("Never by time alone");

        // Owners and ports.
        await Expect(page.GetByTestId("owner").First).ToContainTextAsync("dotnet");
        await Expect(page.GetByTestId("owners-stuck")).ToContainTextAsync("nginx");
        await Expect(page.GetByTestId("owner-fds").First).ToContainTextAsync("nginx"); // 23 descriptors left of 1024
        await Expect(page.GetByTestId("port-destination").First).ToHaveTextAsync("127.0.0.1:8082");
        await Expect(page.GetByTestId("ports")).ToContainTextAsync("600 / 1,000 (60 %)");

        // History: both charts drew lines, with a legend.
        await Expect(page.GetByTestId("chart-states").Locator("path.line")).Not.ToHaveCountAsync(0);
        await Expect(page.GetByTestId("legend-close_wait")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("chart-classes").Locator("path.area")).Not.ToHaveCountAsync(0);
        await Expect(page.GetByTestId("chart-states-readout")).ToContainTextAsync("Latest");
        await page.GetByTestId("chart-states").Locator("svg.plot").HoverAsync(new() { Position = new() { X = 80, Y = 60 } });
        await Expect(page.GetByTestId("chart-states-readout")).ToContainTextAsync("At ");
        await page.Mouse.MoveAsync(0, 0);
        await Expect(page.GetByTestId("blind-spots")).ToContainTextAsync("Some kernel settings could not be read");
        await Expect(page.GetByTestId("stale")).ToBeHiddenAsync();

        var text = await page.InnerTextAsync("body");
        Assert.Contains("465", text, StringComparison.Ordinal);

        output.WriteLine("screenshot: " + await watched.ScreenshotAsync("page-light"));
        output.WriteLine("screenshot: " + await watched.ScreenshotAsync("page-light-top", fullPage: false));
        Assert.Empty(watched.Problems);
    }

    [SkippableFact]
    public async Task Page_fits_a_phone_in_dark_mode()
    {
        var session = chromium.Session;
        await using var server = await FixtureServer.StartAsync();
        await using var watched = await session.OpenAsync(server.BaseAddress, width: 390, height: 844, colorScheme: ColorScheme.Dark);
        var page = watched.Page;
        await page.WaitForSelectorAsync(Loaded, new() { State = WaitForSelectorState.Attached });
        await Expect(page.GetByTestId("state-count-close_wait")).ToHaveTextAsync("465");

        // Nothing wider than the screen: wide tables scroll inside their own box.
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a 390px screen");
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).backgroundColor");
        Assert.Equal("rgb(21, 23, 26)", background);

        output.WriteLine("screenshot: " + await watched.ScreenshotAsync("page-dark-phone"));
        output.WriteLine("screenshot: " + await watched.ScreenshotAsync("page-dark-phone-top", fullPage: false));
        Assert.Empty(watched.Problems);
    }

    [SkippableFact]
    public async Task Page_shows_hostile_names_as_text_and_warns_when_stale()
    {
        var session = chromium.Session;
        // Process names and errors are attacker-influenced: markup in them must stay text.
        const string Hostile = "<img src=x onerror=\"document.title='owned'\">";
        var owners = JsonSerializer.Serialize(new
        {
            owners = new[] { new { pid = 7, command = Hostile, container = "<b>c</b>", pod = "<i>p</i>", openFds = 10, fdLimit = 1024, stuckSockets = 5 } },
        });
        var status = JsonSerializer.Serialize(new
        {
            ready = true, version = "0.1.0", intervalSeconds = 15, snapshots = 3, failedSnapshots = 2,
            lastSuccess = "2026-12-06T20:00:00Z", lastError = "sock_diag: " + Hostile, stale = true,
        });
        await using var server = await FixtureServer.StartAsync(new Dictionary<string, string> { ["/api/owners"] = owners, ["/api/status"] = status });
        await using var watched = await session.OpenAsync(server.BaseAddress);
        var page = watched.Page;
        await page.WaitForSelectorAsync(Loaded, new() { State = WaitForSelectorState.Attached });

        await Expect(page.GetByTestId("owner")).ToContainTextAsync(Hostile);
        await Expect(page.GetByTestId("stale")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("stale")).ToContainTextAsync("Stale");
        await Expect(page.GetByTestId("stale")).ToContainTextAsync("sock_diag: " + Hostile);
        await Expect(page.GetByTestId("owners-stuck")).ToContainTextAsync("<b>c</b>");
        await Expect(page.GetByTestId("owners-stuck")).ToContainTextAsync("<i>p</i>");
        Assert.Equal(0, await page.Locator("img, [data-testid=owners-stuck] b, [data-testid=owners-stuck] i").CountAsync());
        Assert.NotEqual("owned", await page.TitleAsync());

        output.WriteLine("screenshot: " + await watched.ScreenshotAsync("page-stale"));
        Assert.Empty(watched.Problems);
    }
}
