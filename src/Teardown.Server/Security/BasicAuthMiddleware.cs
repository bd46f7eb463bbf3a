using Microsoft.AspNetCore.Http;

namespace Teardown.Server.Security;

/// <summary>
/// Requires <c>Authorization: Basic</c> with a configured user's password on every request when
/// <c>basic_auth_users</c> is not empty, and answers 401 with <c>WWW-Authenticate: Basic realm="teardown"</c>
/// otherwise. Credentials are never logged, nor is the header.
/// </summary>
/// <remarks>
/// <b>No path is exempt, <c>/healthz</c> included.</b> exporter-toolkit exempts nothing either, so a
/// file means the same here as for node_exporter, and an exemption list would be one more thing to get
/// wrong: every exempt path is reachable by anyone who can reach the port. <c>/healthz</c> tells little,
/// but it does tell that a teardown server runs there and whether it is healthy. Kubernetes probes
/// therefore need credentials (an <c>httpGet</c> probe with an <c>Authorization</c> header in
/// <c>httpHeaders</c>), or a <c>tcpSocket</c> probe, or an <c>exec</c> probe; a 401 from a liveness probe
/// would otherwise restart the pod forever, which is loud enough to be found at once.
/// </remarks>
public sealed class BasicAuthMiddleware(RequestDelegate next, BasicAuthenticator authenticator)
{
    /// <summary>The challenge sent with every 401.</summary>
    public const string Challenge = "Basic realm=\"teardown\"";

    /// <summary>Runs the rest of the pipeline for an authorized request; answers 401 otherwise.</summary>
    /// <param name="context">The request.</param>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers.Authorization;
        var authorization = headers.Count == 1 ? headers[0] : null;
        if (await authenticator.IsAuthorizedAsync(authorization, context.RequestAborted).ConfigureAwait(false))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = Challenge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("401 Unauthorized\n", context.RequestAborted).ConfigureAwait(false);
    }
}
