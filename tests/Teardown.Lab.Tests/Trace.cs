using Teardown.Model;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>Prints a trace compactly into the test output (for diagnosing a failing live test).</summary>
internal static class Trace
{
    public static void Dump(ScenarioTrace trace, ITestOutputHelper output)
    {
        foreach (TraceEntry e in trace.Entries)
        {
            string text = e switch
            {
                CallTraced c => $"{c.Host}: {c.Line.Statement.GetType().Name} -> {c.Outcome} (returned {c.Returned.TotalMilliseconds:F1})",
                SegmentTraced s => $"{s.From}->{s.To} {s.Flags.ToNotation()} seq={s.Seq} ack={s.Ack} len={s.Length} win={s.Window} [{s.End}]{(s.Dropped ? " DROPPED" : "")}",
                TransitionTraced t => $"{t.Host} {t.End}: {t.From?.ToLinuxName() ?? "-"} -> {t.To?.ToLinuxName() ?? "GONE"} ({t.Cause})",
                ObservationTraced o => $"observe line {o.Line.Where}: {Describe(o.Observed)}",
                TimerTraced t => $"{t.Host} {t.End}: timer {t.Kind.ToScenarioName()} {t.Action}{(t.Expires is { } x ? $" expires in {x.TotalMilliseconds} ms" : "")}",
                CounterTraced k => $"{k.Host} {k.Counter}={k.Value}",
                NoteTraced n => "note: " + n.Text,
                NetworkEventTraced n => "net: " + n.Line.Statement,
                _ => e.ToString(),
            };
            output.WriteLine($"{e.At.TotalMilliseconds,9:F1} ms  {text}");
        }
    }

    private static string Describe(Teardown.Scenarios.Tracing.Observation o) => o switch
    {
        EndObservation e => $"{e.State?.ToLinuxName() ?? "GONE"} timer={e.Timer.ToScenarioName()} expires={e.Expires?.TotalMilliseconds} recvq={e.RecvQ} sendq={e.SendQ} orphan={e.Orphan}",
        PacketsObservation p => string.Join(' ', p.Flags.Select(f => f.ToNotation())),
        CounterObservation c => c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => o.ToString()!,
    };
}
