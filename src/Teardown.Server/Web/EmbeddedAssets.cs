using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Teardown.Server.Web;

/// <summary>
/// Serves the live page from resources embedded in this assembly (Web/wwwroot/**, named
/// <c>wwwroot/&lt;relative path&gt;</c> by the csproj): the binary is the whole deployment, and a
/// host that reaches nothing outside itself still gets the page. Each file gets one explicit route
/// (no catch-all, so the server's own routes and 404s are untouched), a strong ETag, revalidation
/// on every load (<c>no-cache</c>: a new binary shows its new page at once) and gzip for text.
/// </summary>
public static class EmbeddedAssets
{
    /// <summary>
    /// The policy the page is written for: everything from this origin, no inline script or style,
    /// nothing framed or posted elsewhere. Sent with index.html unless the server already set one.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string Prefix = "wwwroot/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    /// <summary>One embedded file, read once: its bytes, its gzip form when smaller, and its ETag.</summary>
    internal sealed record Asset(string Path, string ContentType, byte[] Body, byte[]? Gzip, string ETag);

    /// <summary>The URL paths served ("/", "/index.html", "/app.css", "/js/app.js", …).</summary>
    public static IReadOnlyCollection<string> Paths => [.. Assets.Value.Keys.Select(p => "/" + p).Prepend("/")];

    /// <summary>
    /// Maps GET and HEAD for every embedded file at its relative path, and <c>/</c> to index.html.
    /// </summary>
    public static IEndpointRouteBuilder MapEmbeddedAssets(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var asset in Assets.Value.Values)
        {
            var served = asset;
            app.MapMethods("/" + asset.Path, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => ServeAsync(context, served))
                .ExcludeFromDescription();
            if (asset.Path == "index.html")
            {
                app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => ServeAsync(context, served))
                    .ExcludeFromDescription();
            }
        }
        return app;
    }

    internal static IReadOnlyDictionary<string, Asset> All => Assets.Value;

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            // %(RecursiveDir) uses the build machine's separator; URLs use '/'.
            var path = name[Prefix.Length..].Replace('\\', '/');
            var body = Read(assembly, name);
            var contentType = ContentTypes.GetValueOrDefault(System.IO.Path.GetExtension(path), "application/octet-stream");
            assets[path] = new Asset(path, contentType, body, Compress(contentType, body), ETagOf(body));
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is listed but cannot be opened");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Text compresses well and is read on every load; images are already compressed.</summary>
    private static byte[]? Compress(string contentType, byte[] body)
    {
        if (!(contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.Contains("json", StringComparison.Ordinal) || contentType.Contains("svg", StringComparison.Ordinal)))
        {
            return null;
        }
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(body);
        }
        return output.Length < body.Length ? output.ToArray() : null;
    }

    /// <summary>A strong validator from the content: the same bytes give the same tag in every build.</summary>
    private static string ETagOf(byte[] body) => "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"";

    private static Task ServeAsync(HttpContext context, Asset asset)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        // Gzip and identity are two representations: each has its own strong tag (RFC 9110 §8.8.3).
        var packed = asset.Gzip is not null && AcceptsGzip(request) ? asset.Gzip : null;
        var etag = packed is not null ? asset.ETag.Insert(asset.ETag.Length - 1, "-gz") : asset.ETag;
        headers.ETag = etag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (asset.Gzip is not null)
        {
            headers.Vary = HeaderNames.AcceptEncoding;
        }
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            // The server may already have set a stricter or site-wide policy: keep it.
            if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
            }
            headers["Referrer-Policy"] = "no-referrer";
        }

        if (Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var body = packed ?? asset.Body;
        if (packed is not null)
        {
            headers.ContentEncoding = "gzip";
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            foreach (var candidate in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                // Weak comparison, as If-None-Match requires (RFC 9110 §13.1.2).
                if (candidate == "*" || candidate == etag || candidate == "W/" + etag)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var encodings))
        {
            return false;
        }
        return encodings.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);
    }
}
