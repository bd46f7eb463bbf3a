using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Teardown.Server.Api;
using Teardown.Server.Metrics;
using Teardown.Server.Security;
using Teardown.Server.Snapshots;

namespace Teardown.Server.Hosting;

/// <summary>
/// The HTTP side of <c>teardown serve</c>: Kestrel with the routes that read what the
/// <see cref="SnapshotLoop"/> published. No request ever reads the host.
/// </summary>
public static class ServeHost
{
    /// <summary>How long a stop waits for requests in flight: SIGTERM must end the server within a second.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMilliseconds(700);

    /// <summary>Builds the web application (not started).</summary>
    /// <param name="options">Where to listen.</param>
    /// <param name="loop">The snapshots to serve.</param>
    public static WebApplication Build(ServeOptions options, SnapshotLoop loop)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loop);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The command line owns stdout and stderr: ASP.NET's own logging would interleave with it.
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 0; // nothing we serve takes a body
            k.Listen(options.Listen, listen =>
            {
                if (options.WebConfig is { } web) listen.UseWebConfig(web);
            });
        });

        var app = builder.Build();
        app.Use(SecurityHeaders);
        // Authentication before every route, the page and /healthz included, as exporter-toolkit does.
        if (options.WebConfig is { } config) app.UseWebConfig(config);
        Map(app, loop);
        return app;
    }

    /// <summary>Starts listening; a listen address that cannot be bound is an outcome, not an exception.</summary>
    public static async Task<StartOutcome> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return StartOutcome.Listening;
        }
        catch (Exception e) when (Cause(e) is SocketException { SocketErrorCode: var code } && code is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            return code switch
            {
                SocketError.AddressAlreadyInUse => StartOutcome.AddressInUse,
                SocketError.AccessDenied => StartOutcome.AccessDenied,
                _ => StartOutcome.AddressNotAvailable,
            };
        }
    }

    // Kestrel wraps the bind failure (IOException "Failed to bind to address …" around the SocketException).
    private static Exception Cause(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException) return x;
        }

        return e;
    }

    /// <summary>
    /// Runs the snapshot loop beside the started <paramref name="app"/> until the host stops
    /// (SIGTERM, Ctrl-C, or <see cref="IHostApplicationLifetime.StopApplication"/>).
    /// </summary>
    public static async Task ServeUntilStoppedAsync(WebApplication app, SnapshotLoop loop)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(loop);
        var snapshots = loop.RunAsync(app.Lifetime.ApplicationStopping);
        await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            // A snapshot being read cannot be interrupted (netlink, /proc): it is abandoned, not awaited,
            // so that a stop takes well under a second even on a host of 150,000 sockets.
            await snapshots.WaitAsync(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
    }

    /// <summary>The port the server listens on (useful with port 0).</summary>
    public static int BoundPort(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)).Port).FirstOrDefault();
    }

    // The page runs with its own scripts only: whatever a socket's process name or cgroup path
    // holds can never become script (the page also writes them as text, never as HTML).
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var h = context.Response.Headers;
        h.ContentSecurityPolicy = Web.EmbeddedAssets.ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        h.XFrameOptions = "DENY";
        return next();
    }

    private static void Map(WebApplication app, SnapshotLoop loop)
    {
        app.MapGet("/metrics", (HttpContext context) =>
        {
            var metrics = loop.Current.Metrics;
            bool open = MetricsExposition.WantsOpenMetrics(context.Request.Headers.Accept);
            return Bytes(context, open ? metrics.OpenMetrics : metrics.Text, open ? MetricsExposition.OpenMetricsContentType : MetricsExposition.TextContentType);
        });
        app.MapGet("/api/report", (HttpContext context) => loop.Current.Snapshot is { } s ? Json(context, s.ReportJson) : NotYet(context));
        app.MapGet("/api/owners", (HttpContext context) => loop.Current.Snapshot is { } s ? Json(context, s.OwnersJson) : NotYet(context));
        app.MapGet("/api/history", (HttpContext context) => Json(context, ApiJson.History(loop.History.Points(), loop.Interval)));
        app.MapGet("/api/status", (HttpContext context) => Json(context, ApiJson.Status(loop.Current.Status, loop.Interval, loop.Version, DateTimeOffset.UtcNow, loop.Current.Snapshot?.Actions)));
        // Liveness: the process answers. Readiness: a snapshot is served and the last attempt succeeded.
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () =>
        {
            var status = loop.Current.Status;
            if (status.Ready) return Results.Text("ready\n");
            string why = status.LastSuccess is null
                ? status.LastError is null ? "no snapshot yet" : $"no snapshot yet: {status.LastError}"
                : $"the last snapshot failed ({status.LastError}); serving the one of {status.LastSuccess:u}";
            return Results.Text($"not ready: {why}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        Web.EmbeddedAssets.MapEmbeddedAssets(app);
    }

    private static Task Bytes(HttpContext context, ReadOnlyMemory<byte> body, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static Task Json(HttpContext context, ReadOnlyMemory<byte> body) => Bytes(context, body, "application/json; charset=utf-8");

    private static Task NotYet(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return Json(context, "{\"error\":\"no snapshot yet\"}"u8.ToArray());
    }
}

/// <summary>How starting the server went.</summary>
public enum StartOutcome
{
    /// <summary>Listening.</summary>
    Listening,
    /// <summary>Another socket holds the address (EADDRINUSE).</summary>
    AddressInUse,
    /// <summary>Binding needs a privilege (a port below 1024 without CAP_NET_BIND_SERVICE).</summary>
    AccessDenied,
    /// <summary>No interface has the address (EADDRNOTAVAIL).</summary>
    AddressNotAvailable,
}
