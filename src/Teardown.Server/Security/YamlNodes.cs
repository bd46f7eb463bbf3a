using YamlDotNet.RepresentationModel;

namespace Teardown.Server.Security;

/// <summary>
/// Reads typed values out of YAML nodes and records, at each node's own position, what is wrong with
/// them. Every reader returns null (or false) after recording an error, so that a section can go on
/// and report all its mistakes at once instead of one per run.
/// </summary>
internal sealed class YamlNodes(string file)
{
    private readonly List<WebConfigDiagnostic> _diagnostics = [];

    internal IReadOnlyList<WebConfigDiagnostic> Diagnostics => _diagnostics;

    internal bool HasErrors => ErrorCount > 0;

    /// <summary>Errors so far; a section compares it before and after to know whether it is sound.</summary>
    internal int ErrorCount => _diagnostics.Count(d => d.Severity == WebConfigSeverity.Error);

    internal void Error(YamlNode at, string message) => Add(at, WebConfigSeverity.Error, message);

    internal void Warning(YamlNode at, string message) => Add(at, WebConfigSeverity.Warning, message);

    internal void Error(long line, long column, string message) =>
        _diagnostics.Add(new WebConfigDiagnostic(file, checked((int)line), checked((int)column), WebConfigSeverity.Error, message));

    private void Add(YamlNode at, WebConfigSeverity severity, string message) =>
        _diagnostics.Add(new WebConfigDiagnostic(file, checked((int)at.Start.Line), checked((int)at.Start.Column), severity, message));

    /// <summary>YAML's null: an empty value, <c>~</c> or <c>null</c>, unquoted. Go leaves such a field at its default.</summary>
    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any } scalar
        && scalar.Tag.IsEmpty
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>A mapping's entries as (key text, key node, value node); a key that is not text is an error and skipped.</summary>
    internal IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } key })
            {
                yield return (key, keyNode, value);
            }
            else
            {
                Error(keyNode, $"a key must be plain text, found {Describe(keyNode)}");
            }
        }
    }

    /// <summary>A mapping, or null (with an error) for anything else; YAML null reads as an empty mapping.</summary>
    internal YamlMappingNode? Mapping(YamlNode value, string what)
    {
        if (IsNull(value))
        {
            return new YamlMappingNode();
        }

        if (value is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(value, $"{what} must be a mapping of keys to values, found {Describe(value)}");
        return null;
    }

    /// <summary>
    /// A string. Any scalar reads as its text, as Go's YAML decoder does for a string field (so
    /// <c>cert_file: 123</c> names the file "123"); null reads as absent.
    /// </summary>
    internal string? String(YamlNode value, string key)
    {
        if (IsNull(value))
        {
            return null;
        }

        if (value is YamlScalarNode { Value: { } text })
        {
            return text;
        }

        Error(value, $"{key} must be a string, found {Describe(value)}");
        return null;
    }

    /// <summary>A boolean written unquoted: true/false, or the YAML 1.1 yes/no/on/off Go's decoder also takes.</summary>
    internal bool? Bool(YamlNode value, string key)
    {
        if (value is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text } && !IsNull(value))
        {
            switch (text.ToLowerInvariant())
            {
                case "true" or "yes" or "on" or "y":
                    return true;
                case "false" or "no" or "off" or "n":
                    return false;
                default:
                    break;
            }
        }

        Error(value, $"{key} must be true or false, found {Describe(value)}");
        return null;
    }

    /// <summary>A list of strings with each item's node (for positions); null reads as an empty list.</summary>
    internal List<(string Text, YamlNode Node)>? StringList(YamlNode value, string key)
    {
        if (IsNull(value))
        {
            return [];
        }

        if (value is not YamlSequenceNode sequence)
        {
            Error(value, $"{key} must be a list of strings, found {Describe(value)}");
            return null;
        }

        var items = new List<(string, YamlNode)>();
        var ok = true;
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text } && !IsNull(item))
            {
                items.Add((text, item));
            }
            else
            {
                Error(item, $"each item of {key} must be a string, found {Describe(item)}");
                ok = false;
            }
        }

        return ok ? items : null;
    }

    /// <summary>What a node is, in words, for "found ..." in messages; a scalar's text is quoted and cut short, never a whole secret.</summary>
    internal static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        YamlScalarNode { Value: { } text } => $"'{Quote(text)}'",
        _ => "an unknown node",
    };

    /// <summary>Text from the file, shortened and made one line, for quoting in a message.</summary>
    internal static string Quote(string text) =>
        WebConfigDiagnostic.OneLine(text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…"));
}
