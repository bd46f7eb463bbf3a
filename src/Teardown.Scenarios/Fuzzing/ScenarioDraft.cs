using System.Globalization;
using System.Text;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>One timed line of a draft: its absolute time and the statement as written (with its <c>= RESULT</c>, if any).</summary>
public sealed record DraftLine(TimeSpan At, string Statement);

/// <summary>
/// A scenario as lines of text, which the fuzzer generates, settles and shrinks: a title, header lines
/// (<c>host</c>, <c>sysctl</c>, <c>link</c>, <c>tolerance</c>) and timed lines at absolute times. It becomes a
/// <see cref="Scenario"/> only through the parser (<see cref="Parse"/>), so whatever the fuzzer does to a draft,
/// what runs is a file a person could have written, and an invalid edit is caught as a diagnostic.
/// </summary>
public sealed record ScenarioDraft(string Title, IReadOnlyList<string> Header, IReadOnlyList<DraftLine> Lines)
{
    /// <summary>The <c>.scn</c> text; <paramref name="comments"/> go first, each as a <c># </c> line.</summary>
    public string Render(IEnumerable<string>? comments = null)
    {
        var text = new StringBuilder();
        text.Append("scenario \"").Append(Title.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"\n");
        foreach (string comment in comments ?? []) text.Append("# ").Append(comment.ReplaceLineEndings(" ")).Append('\n');
        foreach (string h in Header) text.Append(h).Append('\n');
        text.Append('\n');
        foreach (DraftLine line in Lines) text.Append(Time(line.At).PadRight(10)).Append(line.Statement).Append('\n');
        return text.ToString();
    }

    /// <summary>Parses the rendered text; a draft that does not parse gives its diagnostics.</summary>
    public ParseResult Parse(string fileName) => ScenarioParser.Parse(Render(), fileName);

    /// <summary>The scenario, or null when the draft does not parse (an edit made it invalid).</summary>
    public Scenario? TryParse(string fileName)
    {
        ParseResult result = Parse(fileName);
        return result.Diagnostics.Count == 0 ? result.Scenario : null;
    }

    /// <summary>The time of the last line (zero for an empty timeline).</summary>
    public TimeSpan Duration => Lines.Count == 0 ? TimeSpan.Zero : Lines[^1].At;

    /// <summary>A draft of a parsed scenario (a file to shrink): its header rebuilt, its timeline at absolute times.</summary>
    public static ScenarioDraft From(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var header = new List<string>();
        foreach (HostDecl h in scenario.Hosts) header.Add($"host {h.Name} addr={h.Address}");
        foreach (SysctlDecl s in scenario.Sysctls) header.Add($"sysctl {s.Host} {s.Key}={Quoted(s.Value)}");
        foreach (LinkDecl l in scenario.Links) header.Add($"link {l.A} {l.B} delay={Time(l.Delay)}");
        if (scenario.Tolerance != Tolerance.Default)
        {
            header.Add(string.Create(CultureInfo.InvariantCulture, $"tolerance {Time(scenario.Tolerance.Absolute)} {scenario.Tolerance.Percent}%"));
        }

        var lines = scenario.Timeline.Select(l => new DraftLine(l.At, WithResult(l))).ToList();
        return new ScenarioDraft(scenario.Title ?? Path.GetFileNameWithoutExtension(scenario.FileName), header, lines);
    }

    /// <summary>Seconds as the format writes them, to the microsecond, without trailing zeros: <c>0</c>, <c>1.25</c>, <c>0.000125</c>.</summary>
    public static string Time(TimeSpan t)
    {
        long micros = t.Ticks / 10;
        string text = (micros / 1_000_000).ToString(CultureInfo.InvariantCulture);
        long fraction = micros % 1_000_000;
        return fraction == 0 ? text : text + "." + fraction.ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    private static string WithResult(TimedLine line)
    {
        string statement = StatementText.Of(line);
        return line.Result is null ? statement : statement + " = " + line.Result;
    }

    private static string Quoted(string value) => value.Contains(' ', StringComparison.Ordinal) ? "\"" + value + "\"" : value;
}
