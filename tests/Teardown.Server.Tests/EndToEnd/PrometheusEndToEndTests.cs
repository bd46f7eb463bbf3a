using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Teardown.Server.Tests.Support;

namespace Teardown.Server.Tests.EndToEnd;

/// <summary>
/// The real thing: a CLOSE_WAIT leak grows in a private namespace, <c>teardown serve</c> watches it,
/// and a real Prometheus (the Debian binary, a temporary config and data directory, on the
/// namespace's loopback) scrapes it with the project's own alerting rules. Everything is asked of
/// Prometheus through its HTTP API, as a dashboard or an alert manager would.
/// </summary>
public sealed class PrometheusEndToEndTests
{
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private const int ServePort = 9877, PrometheusPort = 9090;

    [SkippableFact]
    public async Task Prometheus_scrapes_the_leak_with_the_right_values_and_the_leak_alert_becomes_pending()
    {
        Require.RootOrSkip();
        RequireTool(PrometheusBinary, "the Debian package prometheus (run-tests installs it)");
        string work = Directory.CreateTempSubdirectory("teardown-e2e-").FullName;
        using var ns = NamedNamespace.Create("td-e2e");
        using var leak = new CloseWaitLeak(ns);
        try
        {
            leak.Leak(5);
            var leakStarted = Stopwatch.StartNew();
            using var serve = ns.Start("dotnet", Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "serve", "--listen", $"127.0.0.1:{ServePort}", "--interval", "1s");
            using var prometheus = ns.Start(PrometheusBinary, $"--config.file={WriteConfig(work)}", $"--storage.tsdb.path={Path.Combine(work, "data")}",
                $"--web.listen-address=127.0.0.1:{PrometheusPort}", "--log.level=warn");
            using var http = ns.Http();
            string Diagnostics() => $"\n--- serve:\n{serve.Output}\n--- prometheus:\n{prometheus.Output}";

            // The leak grows by one connection a second while Prometheus evaluates the rules every second.
            // The rule needs the oldest CLOSE_WAIT to be a minute old, so this takes a little over a minute.
            string? alertState = null;
            var deadline = TimeSpan.FromSeconds(150);
            while (leakStarted.Elapsed < deadline)
            {
                Assert.False(serve.HasExited, "serve exited" + Diagnostics());
                Assert.False(prometheus.HasExited, "prometheus exited" + Diagnostics());
                leak.Leak(1);
                alertState = await LeakAlertState(http);
                if (alertState is "pending" or "firing") break;
                await Task.Delay(1000);
            }

            Assert.True(alertState is "pending" or "firing", $"TeardownCloseWaitLeak never became pending in {deadline.TotalSeconds} s (state: {alertState ?? "absent"})" + Diagnostics());

            // The leak stops growing: Prometheus must then hold exactly what was built.
            int leaked = leak.Leaked;
            string comm = File.ReadAllText("/proc/self/comm").Trim();
            await Eventually(async () => await Query(http, "teardown_sockets_by_state{state=\"close_wait\"}") == leaked, "close_wait count" + Diagnostics());
            Assert.Equal(leaked, await Query(http, $"sum(teardown_sockets{{state=\"close_wait\",class=\"close-wait-unread-eof\",side=\"server\",service=\":{leak.Port}\",command=\"{comm}\"}})"));
            Assert.Equal(leaked, await Query(http, $"teardown_owner_stuck_sockets{{pid=\"{Environment.ProcessId}\"}}"));
            Assert.Equal(leaked, await Query(http, "teardown_socket_age_seconds_count{state=\"close_wait\"}"));
            Assert.True(await Query(http, "teardown_socket_oldest_age_seconds{state=\"close_wait\",class=\"close-wait-unread-eof\"}") >= 60);
            Assert.Equal(1, await Query(http, "teardown_snapshot_ok"));
            Assert.Equal(1, await Query(http, "up{job=\"teardown\"}"));
            // The clients' ends: orphaned FIN_WAIT2, reaped by the kernel after tcp_fin_timeout.
            Assert.True(await Query(http, "teardown_sockets_by_state{state=\"fin_wait2\"}") > 0);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void RequireTool(string path, string what)
    {
        if (File.Exists(path)) return;
        if (Require.IsCi) throw new InvalidOperationException($"CI=true, so this test must not skip: {path} is missing ({what})");
        Skip.If(true, $"{path} is missing ({what})");
    }

    private static string WriteConfig(string work)
    {
        string rules = Path.Combine(Browser.RepoPaths.Root, "deploy", "prometheus", "teardown-rules.yml");
        string config = Path.Combine(work, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {rules}
            scrape_configs:
              - job_name: teardown
                static_configs:
                  - targets: ["127.0.0.1:{ServePort}"]
            """);
        return config;
    }

    private static async Task<string?> LeakAlertState(HttpClient http)
    {
        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{PrometheusPort}/api/v1/alerts"));
            foreach (var alert in doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray())
            {
                if (alert.GetProperty("labels").GetProperty("alertname").GetString() == "TeardownCloseWaitLeak") return alert.GetProperty("state").GetString();
            }

            return null;
        }
        catch (HttpRequestException)
        {
            return null; // Prometheus is still starting
        }
    }

    private static async Task<double> Query(HttpClient http, string promql)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{PrometheusPort}/api/v1/query?query={Uri.EscapeDataString(promql)}"));
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        Assert.True(result.GetArrayLength() == 1, $"{promql}: {result.GetArrayLength()} series");
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is HttpRequestException or Xunit.Sdk.XunitException)
            {
            }

            await Task.Delay(500);
        }

        Assert.Fail($"not reached in 20 s: {what}");
    }
}
