using System.Globalization;
using Teardown.Model;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>
/// What must hold of the model on any scenario, checked without a kernel (<c>teardown fuzz --target model</c>
/// and the CsCheck properties): the same seed gives the same trace; every timer makes progress (an armed timer
/// fires, is re-armed or cancelled, or its socket goes, by its deadline); the counters agree with the
/// transitions (CurrEstab counts the ends in ESTABLISHED or CLOSE_WAIT, ActiveOpens the ends that entered
/// SYN_SENT); and nothing is held forever that Linux would free: after every process exits and the network
/// heals, every end is GONE within <see cref="WindDown"/>.
/// </summary>
public static class ModelChecks
{
    /// <summary>
    /// Long enough for the slowest teardown the generator can set up: an orphan retransmitting 8 times
    /// (tcp_orphan_retries 0) with RTOs capped at 120 s ends within ~230 s; TIME_WAIT is 60 s; FIN_WAIT2 at
    /// most tcp_fin_timeout 90 s or TCP_LINGER2 120 s.
    /// </summary>
    public static readonly TimeSpan WindDown = TimeSpan.FromSeconds(1000);

    /// <summary>The properties the scenario breaks, in words; empty when all hold.</summary>
    public static IReadOnlyList<string> Check(ScenarioDraft draft, ulong modelSeed = 1)
    {
        ArgumentNullException.ThrowIfNull(draft);
        Scenario? scenario = draft.TryParse("fuzz.scn");
        if (scenario is null) return ["the scenario does not parse: " + string.Join("; ", draft.Parse("fuzz.scn").Diagnostics)];
        var model = new ModelTarget(modelSeed);
        ScenarioTrace trace = model.Play(scenario);
        var problems = new List<string>();
        if (Json(trace) != Json(model.Play(scenario))) problems.Add("determinism: the same scenario and seed gave two different traces");
        problems.AddRange(TimersProgress(trace));
        problems.AddRange(CountersFollowTransitions(trace));
        problems.AddRange(EverythingEnds(draft, model));
        return problems;
    }

    /// <summary>The trace as JSON lines: every entry, every field, in order.</summary>
    public static string Json(ScenarioTrace trace)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        JsonTraceWriter.Write(trace, null, text);
        return text.ToString();
    }

    /// <summary>
    /// An armed timer is due at its deadline and runs at its timer-wheel bucket, at most a level's granularity
    /// later (<see cref="Model.Rules.TimerWheel.MaxLateness"/>): by then it has fired, been re-armed or cancelled,
    /// or its end has changed state.
    /// </summary>
    public static IEnumerable<string> TimersProgress(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        IReadOnlyList<TraceEntry> entries = trace.Entries;
        TimeSpan end = trace.Scenario.Timeline.Count == 0 ? TimeSpan.Zero : trace.Scenario.Timeline[^1].At;
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not TimerTraced { Action: TimerAction.Armed, Expires: { } left } armed) continue;
            TimeSpan due = armed.At + left + Model.Rules.TimerWheel.MaxLateness(Model.SimDuration.FromTimeSpan(left), 250).ToTimeSpan();
            if (due > end) continue;
            bool moved = entries.Skip(i + 1).TakeWhile(e => e.At <= due).Any(e =>
                e is TimerTraced t && t.Host == armed.Host && t.End == armed.End
                || e is TransitionTraced tr && tr.Host == armed.Host && tr.End == armed.End);
            if (!moved) yield return $"timers: {armed.Host} {armed.End} {armed.Kind} armed at {Seconds(armed.At)} for {Seconds(due)} never fired";
        }
    }

    /// <summary>CurrEstab after each instant equals the ends then in ESTABLISHED or CLOSE_WAIT; ActiveOpens the ends that entered SYN_SENT.</summary>
    public static IEnumerable<string> CountersFollowTransitions(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var states = new Dictionary<(string Host, string End), TcpState?>();
        var currEstab = new Dictionary<string, long>(StringComparer.Ordinal);
        var activeOpens = new Dictionary<string, long>(StringComparer.Ordinal);
        var synSent = new Dictionary<string, long>(StringComparer.Ordinal);
        var problems = new List<string>();

        // A crash loses the host's kernel, counters included: what the model keeps for it afterwards is not observable.
        var crashed = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<TraceEntry> entries = trace.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            switch (entries[i])
            {
                case NetworkEventTraced { Line.Statement: CrashHost crash }:
                    crashed.Add(crash.Host);
                    break;
                case TransitionTraced t:
                    states[(t.Host, t.End)] = t.To;
                    if (t.To == TcpState.SynSent) synSent[t.Host] = synSent.GetValueOrDefault(t.Host) + 1;
                    break;
                case CounterTraced { Counter: "CurrEstab" } c:
                    currEstab[c.Host] = c.Value;
                    break;
                case CounterTraced { Counter: "ActiveOpens" } c:
                    activeOpens[c.Host] = c.Value;
                    break;
            }

            bool instantEnds = i == entries.Count - 1 || entries[i + 1].At != entries[i].At;
            if (!instantEnds) continue;
            foreach (string host in trace.Scenario.Hosts.Select(h => h.Name).Where(h => !crashed.Contains(h)))
            {
                long counted = states.Count(s => s.Key.Host == host && s.Value is TcpState.Established or TcpState.CloseWait);
                if (currEstab.GetValueOrDefault(host) != counted)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture,
                        $"counters: {host} CurrEstab = {currEstab.GetValueOrDefault(host)} at {Seconds(entries[i].At)}, but {counted} ends are ESTABLISHED or CLOSE_WAIT"));
                    return problems;
                }
            }
        }

        foreach (string host in trace.Scenario.Hosts.Select(h => h.Name).Where(h => !crashed.Contains(h)))
        {
            if (activeOpens.GetValueOrDefault(host) != synSent.GetValueOrDefault(host))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"counters: {host} ActiveOpens = {activeOpens.GetValueOrDefault(host)}, but {synSent.GetValueOrDefault(host)} ends entered SYN_SENT"));
            }
        }

        return problems;
    }

    /// <summary>
    /// The scenario with a wind-down appended — the network healed, every process killed — and every end
    /// observed <see cref="WindDown"/> later: Linux frees everything by then, so must the model.
    /// </summary>
    public static IEnumerable<string> EverythingEnds(ScenarioDraft draft, ModelTarget model)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(model);
        Scenario? scenario = draft.TryParse("fuzz.scn");
        if (scenario is null) yield break;
        TimeSpan t = draft.Duration + TimeSpan.FromSeconds(1);
        var tail = new List<DraftLine>();
        var hosts = scenario.Hosts.Select(h => h.Name).ToList();
        foreach (string a in hosts)
        {
            foreach (string b in hosts.Where(b => string.CompareOrdinal(a, b) < 0))
            {
                tail.Add(new DraftLine(t, $"net pass {a}<->{b}"));
                t += TimeSpan.FromMilliseconds(50);
            }
        }

        foreach (string h in hosts)
        {
            tail.Add(new DraftLine(t, $"{h} kill"));
            t += TimeSpan.FromMilliseconds(50);
        }

        t += WindDown;
        var ends = scenario.Sockets.Values.Where(s => s.Role != SocketRole.Listener).Select(s => s.Name).ToList();
        tail.AddRange(ends.Select(e => new DraftLine(t, $"expect {e} GONE")));
        Scenario? wound = (draft with { Lines = [.. draft.Lines, .. tail] }).TryParse("fuzz.scn");
        if (wound is null) yield break;
        foreach (ObservationTraced o in model.Play(wound).OfType<ObservationTraced>().Where(o => o.At == t))
        {
            if (o.Observed is EndObservation { State: not null } end)
            {
                yield return $"orphans: {((ExpectSocket)o.Line.Statement).Socket} is still {Checking.ObservedText.Observed(end)} {Seconds(WindDown)} after every process exited";
            }
        }
    }

    private static string Seconds(TimeSpan t) => ScenarioDraft.Time(t) + "s";
}
