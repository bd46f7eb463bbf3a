using Microsoft.AspNetCore.Builder;

namespace Teardown.Server.Security;

/// <summary>The HTTP-level half of a <see cref="WebConfig"/>: response headers, then basic auth.</summary>
public static class WebConfigApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the configured response headers and, when users are configured, basic authentication in
    /// front of everything registered after this call. Call it first, so that no endpoint escapes it.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <param name="config">A config from <see cref="WebConfigLoader.Load"/>.</param>
    /// <returns><paramref name="app"/>, for chaining.</returns>
    public static IApplicationBuilder UseWebConfig(this IApplicationBuilder app, WebConfig config)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(config);
        if (config.HttpServerConfig.Headers.Count > 0)
        {
            app.UseMiddleware<ResponseHeadersMiddleware>(config.HttpServerConfig);
        }

        if (!config.BasicAuthUsers.IsEmpty)
        {
            // Lives as long as the application; the gate it holds needs no disposal before process exit.
            app.UseMiddleware<BasicAuthMiddleware>(new BasicAuthenticator(config.BasicAuthUsers));
        }

        return app;
    }
}
