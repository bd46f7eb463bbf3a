using System.Globalization;
using Teardown.Model;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Rendering;

/// <summary>One trace entry as a line of text (without the time and actor columns).</summary>
public static class EntryText
{
    /// <summary>Who acted: a host name, <c>net</c>, <c>expect</c>, <c>note</c>, or <c>A→B</c> for a segment.</summary>
    public static string Actor(TraceEntry entry) => entry switch
    {
        CallTraced c => c.Host,
        CallBlockedTraced b => b.Host,
        NetworkEventTraced => "net",
        TransitionTraced t => t.Host,
        SegmentTraced s => $"{s.From}→{s.To}",
        TimerTraced t => t.Host,
        CounterTraced c => c.Host,
        ObservationTraced => "expect",
        NoteTraced => "note",
        _ => "",
    };

    public static string Describe(TraceEntry entry) => entry switch
    {
        CallTraced c => Call(c),
        CallBlockedTraced b => $"{WithoutHost(StatementText.Of(b.Line))}  {ExpectationChecker.StillBlocked} (called at {TimeText.Seconds(b.Started)})",
        NetworkEventTraced n => WithoutPrefix(StatementText.Of(n.Line), "net "),
        TransitionTraced t => $"{t.End}: {(t.From is null ? "(new)" : ObservedText.State(t.From))} → {ObservedText.State(t.To)} ({t.Cause})",
        SegmentTraced s => Segment(s),
        TimerTraced t => Timer(t),
        CounterTraced c => FormattableString.Invariant($"counter {c.Counter} = {c.Value}"),
        ObservationTraced o => $"{WithoutPrefix(StatementText.Of(o.Line), "expect ")}  → observed {ObservedText.Observation(o.Observed)}",
        NoteTraced n => n.Text,
        _ => entry.ToString(),
    };

    /// <summary>tcpdump's bracketed flags: <c>[S.]</c>, <c>[F.]</c>, <c>[R]</c>.</summary>
    public static string Flags(TcpFlags flags) => "[" + flags.ToNotation() + "]";

    /// <summary>The actor column already says "net" or "expect"; the event text need not repeat it.</summary>
    private static string WithoutPrefix(string statement, string prefix) =>
        statement.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? statement[prefix.Length..] : statement;

    private static string WithoutHost(string statement)
    {
        int space = statement.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? statement : statement[(space + 1)..];
    }

    private static string Call(CallTraced c)
    {
        string text = $"{WithoutHost(StatementText.Of(c.Line))} = {c.Outcome}";
        if (c.At > c.Line.At) text += $"  (due {TimeText.Seconds(c.Line.At)}, waited for the host)";
        if (c.Returned > c.At) text += $"  (returned {TimeText.Seconds(c.Returned)})";
        return text;
    }

    private static string Segment(SegmentTraced s)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{Flags(s.Flags)} seq={s.Seq} ack={s.Ack} len={s.Length} win={s.Window}");
        return s.Dropped ? text + "  DROPPED" : text;
    }

    private static string Timer(TimerTraced t)
    {
        string action = t.Action switch
        {
            TimerAction.Armed => "armed",
            TimerAction.Fired => "fired",
            _ => "cancelled",
        };
        string text = $"{t.End}: timer {t.Kind.ToScenarioName()} {action}";
        return t.Expires is { } e ? $"{text}, expires {TimeText.Seconds(e)}" : text;
    }
}
