using Teardown.Model;
using Teardown.Model.Rules;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>
/// Moves a draft's lines away from instants where their order against the kernel's own work is a matter of
/// luck, using the model as the map of when things happen. A line races when
/// <list type="bullet">
/// <item>moving it by half the resolution, earlier or later, changes what the model does (a result, an
/// observation, a state or segment sequence, a counter — <see cref="TraceComparer"/>, model against model):
/// something happens within that distance of it, and a lab that starts lines that late would see the other
/// order; or</item>
/// <item>it falls after a timer's deadline but within how late the kernel's timer wheel may fire that timer
/// (<see cref="TimerWheel.MaxLateness"/>, summed along the end's earlier timers): the model says the timer
/// has fired, the kernel may not have yet.</item>
/// </list>
/// The first racing line and every line after it move later (the resolution, or past the timer's window),
/// and the model plays again, until nothing races or the rounds run out (then the draft is given up: null).
/// </summary>
public static class RaceGuard
{
    private const string FileName = "fuzz.scn";

    /// <summary>The settled draft, or null when it still raced after <paramref name="rounds"/> rounds or ran past the options' duration.</summary>
    public static ScenarioDraft? Settle(ScenarioDraft draft, FuzzOptions options, ulong modelSeed = 1, int rounds = 16)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(options);
        var model = new ModelTarget(modelSeed);
        var conflicts = new Dictionary<int, int>();
        for (int round = 0; round < rounds; round++)
        {
            Scenario? scenario = draft.TryParse(FileName);
            if (scenario is null) return null;
            ScenarioTrace trace = model.Play(scenario);
            (int group, TimeSpan shift, string why)? race = FirstRace(draft, trace, model, options);
            if (race is null) return draft;
            int group = race.Value.group;

            // Which neighbour a line races with is not known: alternate between widening the gap before it
            // (it and every later line move) and the gap after it (only the later lines move), so that two
            // lines bound to each other — a connect and the accept after it — are pulled apart too.
            int seen = conflicts[group] = conflicts.GetValueOrDefault(group) + 1;
            int from = seen % 2 == 0 ? NextGroup(draft, group) : group;
            draft = ShiftFrom(draft, from, race.Value.shift);
            if (draft.Duration > options.MaxDuration + TimeSpan.FromSeconds(5)) return null;
        }

        return null;
    }

    /// <summary>The index of the first line of the first racing instant, and how far to move it and what follows.</summary>
    private static (int, TimeSpan, string)? FirstRace(ScenarioDraft draft, ScenarioTrace trace, ModelTarget model, FuzzOptions options)
    {
        TimeSpan half = options.Resolution / 2;
        List<(TimeSpan From, TimeSpan To)> late = LateTimerWindows(trace);
        foreach (int start in GroupStarts(draft))
        {
            TimeSpan t = draft.Lines[start].At;
            foreach (var (from, to) in late)
            {
                if (t > from && t < to + options.Resolution) return (start, Round(to + options.Resolution - t, options.Resolution), $"timer {from}..{to}");
            }

            if (start == LastGroup(draft) && CounterChangesAfterTheEnd(draft, model, options) is { } change)
            {
                return (start, Round(change - t + options.Resolution, options.Resolution), "a counter changes just after the last line");
            }

            foreach (TimeSpan delta in new[] { half, -half })
            {
                if (t + delta < TimeSpan.Zero) continue;
                Scenario? moved = ShiftGroup(draft, start, delta).TryParse(FileName);
                if (moved is null) continue;
                var cmp = TraceComparer.Compare(trace, model.Play(moved));
                if (!cmp.Agrees) return (start, options.Resolution, $"moved {delta}: {cmp.Divergences[0].Aspect} {cmp.Divergences[0].Model} / {cmp.Divergences[0].Kernel}");
            }
        }

        return null;
    }

    /// <summary>
    /// For every timer that fired in the model: from its deadline to the latest the kernel may fire it — its
    /// own wheel granularity plus that of the end's timers that fired before it (each armed from the last).
    /// </summary>
    private static List<(TimeSpan, TimeSpan)> LateTimerWindows(ScenarioTrace trace)
    {
        var windows = new List<(TimeSpan, TimeSpan)>();
        var armedFor = new Dictionary<(string, string, TimerKind), TimeSpan>();
        var carried = new Dictionary<(string, string), TimeSpan>();
        foreach (TimerTraced t in trace.OfType<TimerTraced>())
        {
            var key = (t.Host, t.End, t.Kind);
            if (t.Action == TimerAction.Armed && t.Expires is { } left)
            {
                armedFor[key] = left;
            }
            else if (t.Action == TimerAction.Fired && armedFor.Remove(key, out TimeSpan duration))
            {
                TimeSpan lateness = carried.GetValueOrDefault((t.Host, t.End)) + TimerWheel.MaxLateness(SimDuration.FromTimeSpan(duration), 250).ToTimeSpan();
                carried[(t.Host, t.End)] = lateness;
                windows.Add((t.At, t.At + lateness));
            }
        }

        return windows;
    }

    /// <summary>
    /// The last counter change (of those the comparison checks) within <see cref="FuzzOptions.EndQuiet"/> after
    /// the last line, or null. The lab reads the kernel's counters once, a little after the last line (it lets
    /// the kernel settle); the model's stop at the last line. A retransmission timer firing in between is
    /// counted by one side only, so the last line must not come just before one.
    /// </summary>
    private static TimeSpan? CounterChangesAfterTheEnd(ScenarioDraft draft, ModelTarget model, FuzzOptions options)
    {
        TimeSpan end = draft.Duration;
        string host = draft.Header.First(h => h.StartsWith("host ", StringComparison.Ordinal)).Split(' ')[1];
        var probe = draft with { Lines = [.. draft.Lines, new DraftLine(end + options.EndQuiet, $"expect {host} counter TW 0")] };
        Scenario? scenario = probe.TryParse(FileName);
        if (scenario is null) return null;
        var changes = model.Play(scenario).OfType<CounterTraced>()
            .Where(c => c.At > end && c.At <= end + options.EndQuiet && CounterComparer.Compared.Contains(c.Counter)).ToList();
        return changes.Count == 0 ? null : changes.Max(c => c.At);
    }

    private static int LastGroup(ScenarioDraft draft) => GroupStarts(draft).LastOrDefault();

    /// <summary>The first line of each instant of the timeline (observations may share one).</summary>
    internal static IEnumerable<int> GroupStarts(ScenarioDraft draft)
    {
        for (int i = 0; i < draft.Lines.Count; i++)
        {
            if (i == 0 || draft.Lines[i].At != draft.Lines[i - 1].At) yield return i;
        }
    }

    private static int NextGroup(ScenarioDraft draft, int start)
    {
        int i = start;
        while (i < draft.Lines.Count && draft.Lines[i].At == draft.Lines[start].At) i++;
        return i;
    }

    private static ScenarioDraft ShiftGroup(ScenarioDraft draft, int start, TimeSpan delta)
    {
        TimeSpan t = draft.Lines[start].At;
        var lines = draft.Lines.Select((l, i) => i >= start && l.At == t ? l with { At = l.At + delta } : l).ToList();
        return draft with { Lines = lines };
    }

    private static ScenarioDraft ShiftFrom(ScenarioDraft draft, int start, TimeSpan delta) =>
        draft with { Lines = draft.Lines.Select((l, i) => i >= start ? l with { At = l.At + delta } : l).ToList() };

    private static TimeSpan Round(TimeSpan t, TimeSpan unit) => TimeSpan.FromTicks((t.Ticks + unit.Ticks - 1) / unit.Ticks * unit.Ticks);
}
