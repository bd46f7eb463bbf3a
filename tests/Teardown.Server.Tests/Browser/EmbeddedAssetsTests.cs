using System.Net;
using System.Text.RegularExpressions;
using Teardown.Server.Web;

namespace Teardown.Server.Tests.Browser;

/// <summary>The page's files over HTTP, without a browser: routes, types, caching, compression.</summary>
public sealed partial class EmbeddedAssetsTests
{
    [Fact]
    public async Task Root_serves_index_html_with_the_policy_it_needs()
    {
        await using var server = await FixtureServer.StartAsync(contentSecurityPolicy: null);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(EmbeddedAssets.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("<script type=\"module\" src=\"js/app.js\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_etag_gets_304_and_text_is_gzipped_on_request()
    {
        await using var server = await FixtureServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var first = await client.GetAsync(new Uri("/js/app.js", UriKind.Relative));
        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");

        using var again = new HttpRequestMessage(HttpMethod.Get, "/js/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var zipped = new HttpRequestMessage(HttpMethod.Get, "/app.css");
        zipped.Headers.AcceptEncoding.ParseAdd("gzip, br");
        using var gzipped = await client.SendAsync(zipped);
        Assert.Equal("gzip", Assert.Single(gzipped.Content.Headers.ContentEncoding));
        Assert.NotEqual(etag, gzipped.Headers.ETag);
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_left_to_the_server()
    {
        await using var server = await FixtureServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await client.GetAsync(new Uri("/nope.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>A typo in an import or a link would only show as a blank page: every reference resolves.</summary>
    [Fact]
    public void Every_file_the_page_references_is_embedded()
    {
        var assets = EmbeddedAssets.All;
        Assert.Contains("index.html", assets.Keys);
        var html = System.Text.Encoding.UTF8.GetString(assets["index.html"].Body);
        foreach (Match link in HtmlReference().Matches(html))
        {
            var target = link.Groups["path"].Value;
            if (target.StartsWith("api/", StringComparison.Ordinal) || target == "metrics" || target.StartsWith('#'))
            {
                continue;
            }
            Assert.True(assets.ContainsKey(target), $"index.html references {target}, which is not embedded");
        }
        foreach (var (path, asset) in assets.Where(a => a.Key.EndsWith(".js", StringComparison.Ordinal)))
        {
            var js = System.Text.Encoding.UTF8.GetString(asset.Body);
            foreach (Match import in JsImport().Matches(js))
            {
                var target = Path.GetRelativePath(".", Path.Combine(Path.GetDirectoryName(path)!, import.Groups["path"].Value)).Replace('\\', '/');
                Assert.True(assets.ContainsKey(target), $"{path} imports {target}, which is not embedded");
            }
            // API strings are attacker-influenced: no parser of HTML or script is ever handed one.
            Assert.False(HtmlSink().IsMatch(js), $"{path} parses HTML or code from a string: {HtmlSink().Match(js).Value}");
        }
    }

    [Theory]
    [InlineData(true, false, Require.Verdict.Run)]
    [InlineData(true, true, Require.Verdict.Run)]
    [InlineData(false, false, Require.Verdict.Skip)]
    [InlineData(false, true, Require.Verdict.Fail)]
    public void Browser_tests_skip_without_chromium_except_under_ci(bool installed, bool isCi, object expected) =>
        Assert.Equal((Require.Verdict)expected, RequireChromium.Decide(installed, isCi));

    [GeneratedRegex("(?:src|href)=\"(?<path>[^\"]+)\"")]
    private static partial Regex HtmlReference();

    [GeneratedRegex(@"\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|createContextualFragment")]
    private static partial Regex HtmlSink();

    [GeneratedRegex("(?:from|import)\\s+\"(?<path>\\./[^\"]+)\"")]
    private static partial Regex JsImport();
}
