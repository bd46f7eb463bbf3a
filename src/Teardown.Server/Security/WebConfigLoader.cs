using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Teardown.Server.Security;

/// <summary>
/// Loads a web config file in the exporter-toolkit format. Like exporter-toolkit (strict YAML
/// unmarshalling) it refuses unknown keys and wrong types; unlike it, it reports every problem at
/// once, each at its line and column. Relative paths in the file are relative to the file's directory.
/// </summary>
public static class WebConfigLoader
{
    private static readonly string[] KnownKeys = ["tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"];

    /// <summary>
    /// Reads, parses and checks <paramref name="path"/>, loading the certificates it names. Bad input of
    /// any kind (missing file, YAML syntax, unknown key, wrong type, non-bcrypt hash, unreadable or
    /// mismatched PEM) comes back as diagnostics, never as an exception.
    /// </summary>
    /// <param name="path">The web config file, as the operator gave it (diagnostics repeat it as given).</param>
    public static WebConfigLoadResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = ReadWholeFile(path, out var fileError);
        if (text is null)
        {
            return new WebConfigLoadResult(null, [new WebConfigDiagnostic(path, 0, 0, WebConfigSeverity.Error, fileError!)]);
        }

        var nodes = new YamlNodes(path);
        var config = Parse(text, Path.GetDirectoryName(Path.GetFullPath(path))!, nodes);
        var diagnostics = nodes.Diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return new WebConfigLoadResult(nodes.HasErrors ? null : config, diagnostics);
    }

    private static string? ReadWholeFile(string path, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "no web config file was named (the path is empty)";
            return null;
        }

        try
        {
            if (Directory.Exists(path))
            {
                error = "the web config file is a directory";
                return null;
            }

            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            error = "the web config file does not exist";
        }
        catch (DirectoryNotFoundException)
        {
            error = "the web config file does not exist (nor does its directory)";
        }
        catch (UnauthorizedAccessException)
        {
            error = "the web config file cannot be read: permission denied";
        }
        catch (IOException e)
        {
            error = $"the web config file cannot be read: {e.Message}";
        }
        catch (ArgumentException)
        {
            // A path with a NUL in it, for one.
            error = "the web config path is not a valid path";
        }

        return null;
    }

    private static WebConfig? Parse(string text, string baseDirectory, YamlNodes nodes)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            // Syntax errors and duplicate keys (which Go's strict decoder refuses too).
            nodes.Error(e.Start.Line, e.Start.Column, $"YAML: {e.Message}");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 throws these instead of a YamlException on some broken flow collections
            // (found by the loader's property test, e.g. ": [" then "[a" then "b- [c"); the parser still knows where it was.
            var at = parser.Current?.Start ?? Mark.Empty;
            nodes.Error(Math.Max(at.Line, 1), Math.Max(at.Column, 1), "YAML: the text is not valid YAML here");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            nodes.Error(stream.Documents[1].RootNode, "a web config file holds one YAML document; this is a second one");
            return null;
        }

        // No document (empty file, only comments) or a bare null: the empty config, as in exporter-toolkit.
        if (stream.Documents.Count == 0 || YamlNodes.IsNull(stream.Documents[0].RootNode))
        {
            return WebConfig.Empty;
        }

        return stream.Documents[0].RootNode is YamlMappingNode root
            ? ParseRoot(root, baseDirectory, nodes)
            : Refuse(stream.Documents[0].RootNode, nodes);
    }

    private static WebConfig? Refuse(YamlNode root, YamlNodes nodes)
    {
        nodes.Error(root, $"a web config file is a mapping with the keys {string.Join(", ", KnownKeys[..3])}; found {YamlNodes.Describe(root)}");
        return null;
    }

    private static WebConfig? ParseRoot(YamlMappingNode root, string baseDirectory, YamlNodes nodes)
    {
        (YamlNode Key, YamlNode Value)? tls = null, http = null, users = null;
        foreach (var (key, keyNode, value) in nodes.Entries(root))
        {
            switch (key)
            {
                case "tls_server_config": tls = (keyNode, value); break;
                case "http_server_config": http = (keyNode, value); break;
                case "basic_auth_users": users = (keyNode, value); break;
                case "rate_limit":
                    // Refused rather than ignored: an operator who asked for a limit must not believe one is in force.
                    nodes.Error(keyNode, "rate_limit is part of the exporter-toolkit format but teardown serve does not implement it; remove it (put a reverse proxy in front to limit requests)");
                    break;
                default:
                    nodes.Error(keyNode, $"unknown key '{YamlNodes.Quote(key)}'; the keys are {string.Join(", ", KnownKeys[..3])}");
                    break;
            }
        }

        var httpConfig = http is { } h ? HttpSectionReader.Read(h.Value, nodes) : HttpServerConfig.Default;
        var tlsConfig = tls is { } t
            ? TlsSectionReader.Read(t.Key, t.Value, baseDirectory, httpConfig?.Http2 ?? true, nodes)
            : null;
        var usersConfig = users is { } u ? UsersSectionReader.Read(u.Value, nodes) : BasicAuthUsers.None;

        if (usersConfig is { IsEmpty: false } && tlsConfig is null && !nodes.HasErrors)
        {
            nodes.Warning(users!.Value.Key, "basic_auth_users without TLS: passwords cross the network in clear text; add tls_server_config");
        }

        return httpConfig is null || usersConfig is null ? null : new WebConfig(tlsConfig, usersConfig, httpConfig);
    }
}
