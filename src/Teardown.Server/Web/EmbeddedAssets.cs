using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Teardown.Server.Web;

/// <summary>Serves the page built into the assembly (temporary: replaced by the page's own).</summary>
public static class EmbeddedAssets
{
    /// <summary>Maps <c>/</c>.</summary>
    public static IEndpointRouteBuilder MapEmbeddedAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Text("teardown serve: /metrics /api/report /healthz /readyz\n"));
        return app;
    }
}
