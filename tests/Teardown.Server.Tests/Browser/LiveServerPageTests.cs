using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Teardown.Server.Tests.EndToEnd;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Teardown.Server.Tests.Browser;

/// <summary>
/// The page as a user gets it: <c>teardown serve</c> runs as a process on this host, a CLOSE_WAIT
/// leak of this test's own (loopback, ephemeral port) is on it, and headless Chromium loads the page.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class LiveServerPageTests(ChromiumFixture chromium, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task The_running_server_shows_the_leak_its_finding_and_its_owner_in_the_browser()
    {
        Require.RootOrSkip();
        var session = chromium.Session;
        using var leak = new CloseWaitLeak(ns: null, port: 0);
        leak.Leak(17);
        int port = FreePort();
        using var serve = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "serve", "--listen", $"127.0.0.1:{port}", "--interval", "1s"]);
        var address = new Uri($"http://127.0.0.1:{port}/");
        await WaitReady(address, serve);

        await using var watched = await session.OpenAsync(address);
        var page = watched.Page;
        await page.WaitForSelectorAsync("html[data-loaded='true']", new() { State = WaitForSelectorState.Attached });
        string comm = File.ReadAllText("/proc/self/comm").Trim();

        // Other tests may hold CLOSE_WAIT sockets of their own on this host: ours are at least there.
        var tile = page.GetByTestId("state-count-close_wait");
        await Expect(tile).Not.ToHaveTextAsync("0");
        Assert.True(int.Parse((await tile.InnerTextAsync()).Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 17);
        // Our server's end (CLOSE_WAIT on our port); the clients' ends are another finding (orphaned FIN_WAIT2).
        var ours = page.GetByTestId("finding").Filter(new() { HasText = $"local :{leak.Port}" }).Filter(new() { HasText = "CLOSE_WAIT" });
        await Expect(ours).ToHaveCountAsync(1);
        await Expect(ours.GetByTestId("finding-title")).ToContainTextAsync("17 × CLOSE_WAIT");
        await Expect(ours.GetByTestId("finding-title")).ToContainTextAsync($"pid {Environment.ProcessId}");
        await Expect(page.GetByTestId("owners-stuck")).ToContainTextAsync(comm);
        await Expect(page.GetByTestId("stale")).ToBeHiddenAsync();

        output.WriteLine("screenshot: " + await watched.ScreenshotAsync("live-server"));
        Assert.Empty(watched.Problems);
    }

    private static async Task WaitReady(Uri address, ChildProcess serve)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.False(serve.HasExited, "serve exited: " + serve.Output);
            try
            {
                if ((await http.GetAsync(new Uri(address, "readyz"))).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail("serve was not ready in 30 s: " + serve.Output);
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
