using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Teardown.Server.Hosting;
using Teardown.Server.Snapshots;
using Teardown.Server.Tests.Support;

namespace Teardown.Server.Tests;

/// <summary>The real Kestrel server on a loopback port, fed by a scripted host.</summary>
public sealed class ServeHostTests : IAsyncLifetime
{
    private readonly ScriptedSource _source = new(Hosts.Leak(12));
    private SnapshotLoop _loop = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _loop = new SnapshotLoop(_source, TimeSpan.FromHours(1), 20, "1.2.3");
        _app = ServeHost.Build(new ServeOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, _loop);
        Assert.Equal(StartOutcome.Listening, await ServeHost.StartAsync(_app, CancellationToken.None));
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ServeHost.BoundPort(_app)}") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Before_the_first_snapshot_it_is_alive_but_not_ready()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/healthz")).StatusCode);
        var ready = await _http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("no snapshot yet", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/api/report")).StatusCode);
    }

    [Fact]
    public async Task Metrics_and_the_api_serve_the_snapshot_with_their_content_types()
    {
        _loop.TakeOnce();
        var metrics = await _http.GetAsync("/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
        Assert.Equal(12, Exposition.Value(await metrics.Content.ReadAsStringAsync(), "teardown_sockets_by_state{state=\"close_wait\"}"));

        using var open = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        open.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/openmetrics-text"));
        var openMetrics = await _http.SendAsync(open);
        Assert.StartsWith("application/openmetrics-text", openMetrics.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", await openMetrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var report = JsonDocument.Parse(await _http.GetStringAsync("/api/report"));
        Assert.Equal("teardown.doctor/2", report.RootElement.GetProperty("schema").GetString());
        Assert.Equal(1, report.RootElement.GetProperty("exitCode").GetInt32());
        var ns = report.RootElement.GetProperty("namespaces")[0];
        Assert.Equal(12, ns.GetProperty("summary").GetProperty("byState").GetProperty("CLOSE_WAIT").GetInt32());

        using var owners = JsonDocument.Parse(await _http.GetStringAsync("/api/owners"));
        var leaky = owners.RootElement.GetProperty("owners")[0];
        Assert.Equal(("leaky", 12), (leaky.GetProperty("command").GetString(), leaky.GetProperty("stuckSockets").GetInt32()));

        using var history = JsonDocument.Parse(await _http.GetStringAsync("/api/history"));
        Assert.Equal(12, history.RootElement.GetProperty("samples")[0].GetProperty("states").GetProperty("close_wait").GetInt32());

        using var status = JsonDocument.Parse(await _http.GetStringAsync("/api/status"));
        Assert.True(status.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("1.2.3", status.RootElement.GetProperty("version").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task A_failed_snapshot_makes_readyz_say_why_while_the_last_good_one_is_served()
    {
        _loop.TakeOnce();
        _source.Failure = new InvalidOperationException("sock_diag refused");
        _loop.TakeOnce();
        var ready = await _http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("sock_diag refused", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/report")).StatusCode);
        using var status = JsonDocument.Parse(await _http.GetStringAsync("/api/status"));
        Assert.True(status.RootElement.GetProperty("stale").GetBoolean());
    }

    [Fact]
    public async Task Twenty_concurrent_scrapers_never_cause_a_snapshot()
    {
        _loop.TakeOnce();
        int reads = _source.Reads;
        var scrapes = Enumerable.Range(0, 20).Select(async _ =>
        {
            for (int i = 0; i < 10; i++)
            {
                var r = await _http.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
        });
        await Task.WhenAll(scrapes);
        Assert.Equal(reads, _source.Reads);
    }

    [Fact]
    public async Task Every_response_carries_a_strict_content_security_policy()
    {
        var page = await _http.GetAsync("/");
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(page.Headers.Contains("Server"));
    }

    [Fact]
    public async Task A_second_server_on_the_same_port_is_refused_as_address_in_use()
    {
        var loop = new SnapshotLoop(_source, TimeSpan.FromHours(1), 20, "1");
        await using var second = ServeHost.Build(new ServeOptions { Listen = new IPEndPoint(IPAddress.Loopback, ServeHost.BoundPort(_app)) }, loop);
        Assert.Equal(StartOutcome.AddressInUse, await ServeHost.StartAsync(second, CancellationToken.None));
    }
}
