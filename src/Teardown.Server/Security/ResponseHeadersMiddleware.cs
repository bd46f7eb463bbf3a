using Microsoft.AspNetCore.Http;

namespace Teardown.Server.Security;

/// <summary>
/// Sets <c>http_server_config.headers</c> on every response, 401s included, before the rest of the
/// pipeline runs (as exporter-toolkit does), so a handler may still override one for its own response.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next, HttpServerConfig config)
{
    /// <summary>Sets the headers, then runs the rest of the pipeline.</summary>
    /// <param name="context">The request.</param>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (name, value) in config.Headers)
        {
            context.Response.Headers[name] = value;
        }

        return next(context);
    }
}
