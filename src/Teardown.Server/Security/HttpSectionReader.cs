using System.Collections.Frozen;
using YamlDotNet.RepresentationModel;

namespace Teardown.Server.Security;

/// <summary>
/// Reads <c>http_server_config</c>. Headers are limited to exporter-toolkit's five security headers, with
/// its enumerated values where it has them, so that one file means the same thing to every exporter.
/// </summary>
internal static class HttpSectionReader
{
    /// <summary>Header name (exactly as exporter-toolkit spells it) to its allowed values; empty means any value.</summary>
    private static readonly FrozenDictionary<string, string[]> AllowedHeaders = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Strict-Transport-Security"] = [],
        ["X-Content-Type-Options"] = ["nosniff"],
        ["X-Frame-Options"] = ["deny", "sameorigin"],
        ["X-XSS-Protection"] = [],
        ["Content-Security-Policy"] = [],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    internal static HttpServerConfig? Read(YamlNode value, YamlNodes nodes)
    {
        var errorsBefore = nodes.ErrorCount;
        if (nodes.Mapping(value, "http_server_config") is not { } mapping)
        {
            return null;
        }

        var http2 = true;
        var headers = FrozenDictionary<string, string>.Empty;
        foreach (var (key, keyNode, entry) in nodes.Entries(mapping))
        {
            switch (key)
            {
                case "http2":
                    http2 = nodes.Bool(entry, key) ?? http2;
                    break;
                case "headers":
                    headers = ReadHeaders(entry, nodes) ?? headers;
                    break;
                default:
                    nodes.Error(keyNode, $"unknown key '{YamlNodes.Quote(key)}' in http_server_config; the keys are headers, http2");
                    break;
            }
        }

        return nodes.ErrorCount > errorsBefore ? null : new HttpServerConfig(headers, http2);
    }

    private static FrozenDictionary<string, string>? ReadHeaders(YamlNode value, YamlNodes nodes)
    {
        if (nodes.Mapping(value, "headers") is not { } mapping)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, keyNode, entry) in nodes.Entries(mapping))
        {
            if (!AllowedHeaders.TryGetValue(name, out var allowed))
            {
                nodes.Error(keyNode, $"header '{YamlNodes.Quote(name)}' cannot be configured; the headers are {string.Join(", ", AllowedHeaders.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            var text = nodes.String(entry, name);
            if (string.IsNullOrEmpty(text))
            {
                // "Unset if blank", says the format.
                continue;
            }

            if (allowed.Length > 0 && !allowed.Contains(text, StringComparer.Ordinal))
            {
                nodes.Error(entry, $"{name} must be one of {string.Join(", ", allowed)}, found '{YamlNodes.Quote(text)}'");
                continue;
            }

            if (text.Any(char.IsControl))
            {
                // A line break in a header value would let the file inject a header of its own choosing.
                nodes.Error(entry, $"{name} must not contain control characters or line breaks");
                continue;
            }

            headers[name] = text;
        }

        return headers.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
