using System.Globalization;
using Teardown.Model;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// Compares sequences: each named connection end's states (from its transitions), and each direction's
/// segments. Only the first difference of a sequence is reported: everything after it is usually its echo.
/// </summary>
internal static class SequenceComparer
{
    public static void CompareStates(ComparisonBuilder builder, ScenarioTrace model, ScenarioTrace kernel)
    {
        foreach (string end in builder.Scenario.Sockets.Values.OrderBy(s => s.DeclaredAt.Line).Select(s => s.Name))
        {
            List<TransitionTraced> m = States(model, end);
            List<TransitionTraced> k = States(kernel, end);
            (m, k) = Clip(builder.Scenario, m, k, t => t.At);
            builder.Compared(Aspects.States);
            int i = FirstDifference(m, k, (a, b) => a.To == b.To);
            if (i < 0) continue;
            TimeSpan at = i < m.Count ? m[i].At : k[i].At;
            builder.Diverged(builder.LineBefore(at), Aspects.States, StateText(end, m), StateText(end, k), at);
        }
    }

    public static void CompareSegments(ComparisonBuilder builder, ScenarioTrace model, ScenarioTrace kernel)
    {
        var directions = model.OfType<SegmentTraced>().Concat(kernel.OfType<SegmentTraced>())
            .Select(s => (s.From, s.To)).Distinct().ToArray();
        foreach ((string from, string to) in directions)
        {
            List<SegmentTraced> m = model.OfType<SegmentTraced>().Where(s => s.From == from && s.To == to).ToList();
            List<SegmentTraced> k = kernel.OfType<SegmentTraced>().Where(s => s.From == from && s.To == to).ToList();
            (m, k) = Clip(builder.Scenario, m, k, s => s.At);
            builder.Compared(Aspects.Segments);

            // The window is left out on purpose: it depends on buffer autotuning, not on teardown rules.
            int i = FirstDifference(m, k, (a, b) => a.Flags == b.Flags && a.Seq == b.Seq && a.Ack == b.Ack && a.Length == b.Length);
            if (i < 0) continue;
            TimeSpan at = i < m.Count ? m[i].At : k[i].At;
            builder.Diverged(builder.LineBefore(at), Aspects.Segments, SegmentText(from, to, m, i), SegmentText(from, to, k, i), at);
        }
    }

    /// <summary>
    /// The states an end went through, one per transition, with repeats merged (a kernel observed by
    /// polling may report the same state twice). Entries for unnamed ends (4-tuples) are ignored.
    /// </summary>
    private static List<TransitionTraced> States(ScenarioTrace trace, string end)
    {
        var result = new List<TransitionTraced>();
        foreach (TransitionTraced t in trace.OfType<TransitionTraced>())
        {
            if (t.End != end) continue;
            if (result.Count > 0 && result[^1].To == t.To) continue;
            result.Add(t);
        }

        return result;
    }

    /// <summary>
    /// Both sequences up to the scenario's last line: the model stops there, while the lab lets the kernel
    /// settle a little longer (a retransmission may fall in that time). The kernel keeps what it did within the
    /// tolerance after the end only while the model has that many entries: its line may have run late.
    /// </summary>
    private static (List<T> Model, List<T> Kernel) Clip<T>(Syntax.Scenario scenario, List<T> model, List<T> kernel, Func<T, TimeSpan> at)
    {
        if (scenario.Timeline.Count == 0) return (model, kernel);
        TimeSpan end = scenario.Timeline.Max(l => l.At);
        TimeSpan late = end + scenario.Tolerance.Absolute;
        List<T> m = model.Where(e => at(e) <= end).ToList();
        List<T> k = kernel.Where(e => at(e) <= late).ToList();
        while (k.Count > m.Count && at(k[^1]) > end) k.RemoveAt(k.Count - 1);
        return (m, k);
    }

    /// <summary>The index of the first difference, or -1 when both sequences are equal.</summary>
    private static int FirstDifference<T>(IReadOnlyList<T> a, IReadOnlyList<T> b, Func<T, T, bool> same)
    {
        int common = Math.Min(a.Count, b.Count);
        for (int i = 0; i < common; i++)
        {
            if (!same(a[i], b[i])) return i;
        }

        return a.Count == b.Count ? -1 : common;
    }

    private static string StateText(string end, List<TransitionTraced> states) =>
        states.Count == 0 ? $"{end}: no transitions" : $"{end}: " + string.Join(" → ", states.Select(t => ObservedText.State(t.To)));

    private static string SegmentText(string from, string to, IReadOnlyList<SegmentTraced> segments, int index)
    {
        string number = (index + 1).ToString(CultureInfo.InvariantCulture);
        string total = segments.Count.ToString(CultureInfo.InvariantCulture);
        if (index >= segments.Count) return $"{from}→{to} #{number}: none (only {total} sent)";
        SegmentTraced s = segments[index];
        return string.Create(CultureInfo.InvariantCulture,
            $"{from}→{to} #{number}: [{s.Flags.ToNotation()}] seq={s.Seq} ack={s.Ack} len={s.Length} at {TraceComparer.Seconds(s.At)} ({total} sent)");
    }
}
