using System.Text.RegularExpressions;

namespace Teardown.Deploy.Tests.Support;

/// <summary>
/// The metric names a PromQL expression reads, and whether each is one docs/metrics.md promises (or a
/// recording rule of ours). Shared by the rules and the dashboard checks.
/// </summary>
internal static partial class RulesMetricContract
{
    /// <summary>The metrics of docs/metrics.md: table rows whose first cell is a backticked name, with their type.</summary>
    internal static IReadOnlyDictionary<string, string> Parse(string markdown)
    {
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in markdown.Split('\n'))
        {
            var m = TableRow().Match(line);
            if (m.Success) metrics[m.Groups["name"].Value] = m.Groups["type"].Value.Trim();
        }
        return metrics;
    }

    /// <summary>docs/metrics.md, parsed.</summary>
    internal static IReadOnlyDictionary<string, string> Load() => Parse(File.ReadAllText(RulesRepo.MetricsDoc));

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "atan2", "inf", "nan", "Inf", "NaN", "start", "end",
    };

    /// <summary>
    /// The metric names <paramref name="expr"/> reads: every identifier that is not a function or
    /// aggregation (followed by a parenthesis), a keyword, a label name (inside braces or a
    /// by/without/on/ignoring/group_left list), a string, a duration or a Grafana variable.
    /// </summary>
    internal static IReadOnlyList<string> MetricNames(string expr)
    {
        var s = StringLiteral().Replace(expr, "\"\"");
        s = Comment().Replace(s, " ");
        s = GrafanaVariable().Replace(s, " ");
        s = LabelMatchers().Replace(s, " ");
        s = RangeOrSubquery().Replace(s, " ");
        s = LabelList().Replace(s, " ");
        // Grafana's label_values(metric, label) and label_values(label): only the metric is one.
        s = LabelValuesTwo().Replace(s, " $1 ");
        s = LabelValuesOne().Replace(s, " ");
        return Identifier().Matches(s)
            .Select(m => m.Groups[1].Value)
            .Where(name => !Keywords.Contains(name))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// What is wrong with the names <paramref name="expr"/> reads: a name that is neither in the
    /// contract, nor a histogram's _bucket/_sum/_count series, nor one of <paramref name="recordingRules"/>
    /// (names with a colon). Empty when all are known.
    /// </summary>
    internal static IReadOnlyList<string> Problems(string expr, IReadOnlyDictionary<string, string> contract, IReadOnlySet<string> recordingRules)
    {
        var problems = new List<string>();
        foreach (var name in MetricNames(expr))
        {
            if (name.Contains(':', StringComparison.Ordinal))
            {
                if (!recordingRules.Contains(name)) problems.Add($"{name}: no recording rule of deploy/prometheus/teardown-rules.yml defines it");
                continue;
            }
            if (contract.ContainsKey(name)) continue;
            var suffix = new[] { "_bucket", "_sum", "_count" }.FirstOrDefault(x => name.EndsWith(x, StringComparison.Ordinal));
            if (suffix is not null)
            {
                var base_ = name[..^suffix.Length];
                if (contract.TryGetValue(base_, out var type))
                {
                    if (type is "histogram" or "summary") continue;
                    problems.Add($"{name}: {base_} is a {type} in docs/metrics.md, it has no {suffix} series");
                    continue;
                }
            }
            problems.Add($"{name}: not a metric of docs/metrics.md");
        }
        return problems;
    }

    [GeneratedRegex(@"^\|\s*`(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|\s*(?<type>[^|]*)\|")]
    private static partial Regex TableRow();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"#[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"\$\{[^}]*\}|\$\w+")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex LabelList();

    [GeneratedRegex(@"\blabel_values\s*\(\s*([A-Za-z_:][\w:]*)\s*,\s*\w+\s*\)")]
    private static partial Regex LabelValuesTwo();

    [GeneratedRegex(@"\blabel_values\s*\(\s*\w+\s*\)")]
    private static partial Regex LabelValuesOne();

    [GeneratedRegex(@"(?<![\w:.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()")]
    private static partial Regex Identifier();
}
