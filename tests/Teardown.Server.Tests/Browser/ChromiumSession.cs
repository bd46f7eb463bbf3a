using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Playwright;

namespace Teardown.Server.Tests.Browser;

/// <summary>
/// One headless system Chromium driven through Playwright, shared by the browser tests (starting
/// it costs about a second). Playwright's own browsers are never downloaded: the .NET package
/// carries only its driver (node + the protocol client, in bin/.playwright), and the browser is the
/// distribution's /usr/bin/chromium, which has the same major version as Playwright 1.64's.
/// </summary>
public sealed class ChromiumSession : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// No sandbox: tests run as root in a container, where Chromium's sandbox cannot start. The
    /// rest keeps the browser from talking to anything but the page under test.
    /// </summary>
    public static readonly IReadOnlyList<string> Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;

    private ChromiumSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public IBrowser Browser { get; }

    /// <summary>Starts the driver and the browser. Call RequireChromium.OrSkip() first in a test.</summary>
    public static async Task<ChromiumSession> StartAsync()
    {
        // Only `playwright install` downloads browsers, and nothing here runs it; the variable makes
        // sure that a driver started from this process never fetches one either.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = [.. Arguments],
            });
            return new ChromiumSession(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="url"/> in a fresh context (own cookies, viewport and colour scheme)
    /// and records everything that went wrong on the way: see <see cref="WatchedPage.Problems"/>.
    /// </summary>
    public async Task<WatchedPage> OpenAsync(Uri url, int width = 1280, int height = 900, ColorScheme colorScheme = ColorScheme.Light)
    {
        ArgumentNullException.ThrowIfNull(url);
        var context = await Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = height },
            ColorScheme = colorScheme,
        });
        var page = await context.NewPageAsync();
        var watched = new WatchedPage(context, page, url);
        var response = await page.GotoAsync(url.ToString(), new() { WaitUntil = WaitUntilState.Load });
        watched.DocumentResponse = response;
        return watched;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A page in its own browser context, with what went wrong while it ran.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _problems = new();

    internal WatchedPage(IBrowserContext context, IPage page, Uri origin)
    {
        _context = context;
        Page = page;
        // Events arrive on Playwright's dispatcher thread while the test runs: a concurrent queue.
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" && !message.Text.Contains("DevTools", StringComparison.Ordinal))
            {
                _problems.Enqueue($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => _problems.Enqueue($"uncaught: {error}");
        page.RequestFailed += (_, request) => _problems.Enqueue($"request failed: {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _problems.Enqueue($"HTTP {response.Status.ToString(CultureInfo.InvariantCulture)}: {response.Url}");
            }
        };
        page.Request += (_, request) =>
        {
            // Nothing outside the host: every request must go back to the server under test.
            if (!request.Url.StartsWith(origin.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                _problems.Enqueue($"request to another origin: {request.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The response to the navigation (its headers: CSP, caching).</summary>
    public IResponse? DocumentResponse { get; internal set; }

    /// <summary>Console errors and warnings, uncaught exceptions, failed or 4xx/5xx requests, requests off the origin.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    /// <summary>
    /// Saves a PNG as .build/screenshots/<paramref name="name"/>.png (the whole page, or only the
    /// viewport, which stays legible when a long page is shrunk to fit a viewer); returns its path.
    /// </summary>
    public async Task<string> ScreenshotAsync(string name, bool fullPage = true)
    {
        var path = Path.Combine(RepoPaths.Screenshots, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = fullPage });
        return path;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
