using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Rendering;

/// <summary>
/// A trace as a plain-text timeline, one entry a line: time, actor, event; verdicts follow the call or
/// observation they judge. Plain text on purpose: the CLI may colour it, tests can read it.
/// </summary>
public static class TimelineRenderer
{
    public static void Render(ScenarioTrace trace, IReadOnlyList<Verdict>? verdicts, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(writer);
        Scenario scenario = trace.Scenario;
        writer.WriteLine(scenario.Title is null ? $"{scenario.FileName} on {trace.Target}" : $"\"{scenario.Title}\" ({scenario.FileName}) on {trace.Target}");
        writer.WriteLine("hosts: " + string.Join(", ", scenario.Hosts.Select(h => $"{h.Name} {h.Address}")));
        writer.WriteLine();

        ILookup<SourcePosition, Verdict> byLine = (verdicts ?? []).ToLookup(v => v.Line.Where);
        var judged = new HashSet<SourcePosition>();
        int width = Math.Max(6, trace.Entries.Select(e => EntryText.Actor(e).Length).DefaultIfEmpty(0).Max());
        foreach (TraceEntry entry in trace.Entries)
        {
            writer.WriteLine($"{TimeText.Column(entry.At)}  {EntryText.Actor(entry).PadRight(width)}  {EntryText.Describe(entry)}");
            TimedLine? line = entry switch
            {
                CallTraced c => c.Line,
                CallBlockedTraced b => b.Line,
                ObservationTraced o => o.Line,
                _ => null,
            };
            if (line is not null && judged.Add(line.Where))
            {
                foreach (Verdict v in byLine[line.Where]) WriteVerdict(writer, v, width);
            }
        }

        if (verdicts is null) return;
        Verdict[] unjudged = verdicts.Where(v => !judged.Contains(v.Line.Where)).ToArray();
        if (unjudged.Length > 0)
        {
            writer.WriteLine();
            writer.WriteLine("never reached:");
            foreach (Verdict v in unjudged)
            {
                writer.WriteLine($"{TimeText.Column(v.Line.At)}  line {v.Line.Where.Line}: {v.Line.Text}");
                WriteVerdict(writer, v, width);
            }
        }

        int failed = verdicts.Count(v => !v.Passed);
        writer.WriteLine();
        writer.WriteLine(FormattableString.Invariant($"{verdicts.Count - failed} passed, {failed} failed"));
    }

    private static void WriteVerdict(TextWriter writer, Verdict v, int width)
    {
        string indent = new(' ', 8 + 2 + width + 2);
        writer.WriteLine(v.Passed
            ? $"{indent}PASS {v.Expected}"
            : $"{indent}FAIL line {v.Line.Where.Line}: expected {v.Expected}, observed {v.Observed}");
    }
}
