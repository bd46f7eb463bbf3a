using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Teardown.Server.Web;

namespace Teardown.Server.Tests.Browser;

/// <summary>
/// A Kestrel server on 127.0.0.1 (a free port) with the page's assets and the four API routes the
/// page reads, each answering a fixture file — the contract `teardown serve` implements, without a
/// host to snapshot.
/// </summary>
public sealed class FixtureServer : IAsyncDisposable
{
    /// <summary>The API routes and the fixture file each answers by default.</summary>
    public static readonly IReadOnlyDictionary<string, string> Routes = new Dictionary<string, string>
    {
        ["/api/report"] = "report.json",
        ["/api/history"] = "history.json",
        ["/api/owners"] = "owners.json",
        ["/api/status"] = "status.json",
    };

    private readonly WebApplication _app;

    private FixtureServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <param name="overrides">JSON bodies that replace the fixture of a route ("/api/owners" → "{…}").</param>
    /// <param name="contentSecurityPolicy">Sent on every response, as a deployment would; null sends none.</param>
    public static async Task<FixtureServer> StartAsync(IReadOnlyDictionary<string, string>? overrides = null, string? contentSecurityPolicy = "default-src 'self'")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        if (contentSecurityPolicy is not null)
        {
            app.Use((context, next) =>
            {
                context.Response.Headers.ContentSecurityPolicy = contentSecurityPolicy;
                return next(context);
            });
        }
        app.MapEmbeddedAssets();
        foreach (var (route, file) in Routes)
        {
            var body = overrides is not null && overrides.TryGetValue(route, out var replaced) ? replaced : RepoPaths.Fixture(file);
            app.MapGet(route, () => Results.Text(body, "application/json"));
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new FixtureServer(app, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
