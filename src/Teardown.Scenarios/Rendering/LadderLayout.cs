using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Rendering;

/// <summary>What a ladder diagram draws, placed: pure geometry from a trace, no text format.</summary>
/// <param name="Hosts">Host names, left to right.</param>
/// <param name="Rows">One row per drawn event, top to bottom.</param>
/// <param name="Timers">Timer brackets.</param>
/// <param name="Breaks">Collapsed time gaps: the y where the gap is drawn and how long it was.</param>
/// <param name="Height">Total height of the drawing area.</param>
public sealed record LadderLayout(IReadOnlyList<string> Hosts, IReadOnlyList<LadderRow> Rows, IReadOnlyList<TimerBracket> Timers, IReadOnlyList<(double Y, TimeSpan Gap)> Breaks, double Height)
{
    /// <summary>Vertical space of one event.</summary>
    public const double RowHeight = 20;

    /// <summary>Extra space per second of time between two events, before a gap is collapsed.</summary>
    public const double PixelsPerSecond = 120;

    /// <summary>The most extra space one gap gets; a longer gap is drawn collapsed, with its length written.</summary>
    public const double MaxGap = 48;

    /// <summary>Places every drawable entry of <paramref name="trace"/>: time goes down, to scale up to <see cref="MaxGap"/>, gaps beyond collapsed.</summary>
    public static LadderLayout Of(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var hosts = trace.Scenario.Hosts.Select(h => h.Name).ToList();
        var delays = new LinkDelays(trace.Scenario);
        var rows = new List<LadderRow>();
        var breaks = new List<(double, TimeSpan)>();
        var open = new Dictionary<(string Host, string End, TimerKind Kind), (double Y, TimeSpan? Expires)>();
        var timers = new List<TimerBracket>();
        double y = RowHeight;
        TimeSpan? last = null;
        foreach (var entry in trace.Entries)
        {
            if (entry is NetworkEventTraced { Line.Statement: NetDelay d }) delays.Set(d.A, d.B, d.Delay);
            if (!Drawn(entry)) continue;
            if (last is TimeSpan previous && entry.At > previous)
            {
                var gap = entry.At - previous;
                double space = gap.TotalSeconds * PixelsPerSecond;
                if (space > MaxGap)
                {
                    breaks.Add((y + MaxGap / 2 - RowHeight / 2, gap));
                    space = MaxGap;
                }

                y += space;
            }

            last = entry.At;
            switch (entry)
            {
                case TimerTraced t when t.Action == TimerAction.Armed:
                    Close(open, timers, (t.Host, t.End, t.Kind), y, TimerEnd.Rearmed);
                    open[(t.Host, t.End, t.Kind)] = (y, t.Expires);
                    continue; // a bracket, not a row
                case TimerTraced t:
                    Close(open, timers, (t.Host, t.End, t.Kind), y, t.Action == TimerAction.Fired ? TimerEnd.Fired : TimerEnd.Cancelled);
                    continue;
                case SegmentTraced s:
                    rows.Add(new LadderRow(entry, y, s.From == s.To ? TimeSpan.Zero : delays.Get(s.From, s.To)));
                    break;
                default:
                    rows.Add(new LadderRow(entry, y, TimeSpan.Zero));
                    break;
            }

            y += RowHeight;
        }

        foreach (var ((host, end, kind), (from, expires)) in open.OrderBy(o => o.Value.Y))
        {
            timers.Add(new TimerBracket(host, end, kind, from, y, expires, TimerEnd.StillRunning));
        }

        return new LadderLayout(hosts, rows, timers, breaks, y + RowHeight);
    }

    private static bool Drawn(TraceEntry entry) => entry is CallTraced or CallBlockedTraced or TransitionTraced or SegmentTraced or TimerTraced or ObservationTraced or NetworkEventTraced or NoteTraced;

    private static void Close(Dictionary<(string, string, TimerKind), (double Y, TimeSpan? Expires)> open, List<TimerBracket> timers, (string Host, string End, TimerKind Kind) key, double y, TimerEnd how)
    {
        if (open.Remove(key, out var started)) timers.Add(new TimerBracket(key.Host, key.End, key.Kind, started.Y, y, started.Expires, how));
    }

    /// <summary>The one-way delay of each pair of hosts, as the scenario declares it and <c>net delay</c> changes it.</summary>
    private sealed class LinkDelays(Scenario scenario)
    {
        private readonly Dictionary<(string, string), TimeSpan> _delays = scenario.Links
            .SelectMany(l => new[] { ((l.A, l.B), l.Delay), ((l.B, l.A), l.Delay) })
            .GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Last().Delay);

        public TimeSpan Get(string from, string to) => _delays.GetValueOrDefault((from, to));

        public void Set(string a, string b, TimeSpan delay)
        {
            _delays[(a, b)] = delay;
            _delays[(b, a)] = delay;
        }
    }
}

/// <summary>One drawn event at height <see cref="Y"/>; a segment also carries the link's one-way delay then.</summary>
public sealed record LadderRow(TraceEntry Entry, double Y, TimeSpan Delay);

/// <summary>How a timer's bracket ends.</summary>
public enum TimerEnd
{
    /// <summary>It expired.</summary>
    Fired,
    /// <summary>It was stopped.</summary>
    Cancelled,
    /// <summary>It was armed again (the bracket restarts).</summary>
    Rearmed,
    /// <summary>Still running when the trace ends.</summary>
    StillRunning,
}

/// <summary>A timer of one connection end, from arming to its end.</summary>
public sealed record TimerBracket(string Host, string End, TimerKind Kind, double From, double To, TimeSpan? Expires, TimerEnd Ending);
