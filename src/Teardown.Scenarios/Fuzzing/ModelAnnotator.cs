using System.Globalization;
using Teardown.Model;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>
/// Writes what the model did into a draft: each call's result (<c>= -1 EPIPE</c>) and each expectation's
/// observed value (<c>expect C FIN_WAIT2 timer=timewait expires=1.9 orphan=yes</c>). A comparison does not
/// need them (it compares what both targets observe, not what the file says), but a file that states the
/// model's answers reads as a test: <c>teardown run</c> checks it, and a minimized divergence shows on
/// its face which line the kernel answers differently.
/// </summary>
public static class ModelAnnotator
{
    public static ScenarioDraft Annotate(ScenarioDraft draft, ulong modelSeed = 1)
    {
        ArgumentNullException.ThrowIfNull(draft);
        Scenario? scenario = draft.TryParse("fuzz.scn");
        if (scenario is null) return draft;
        ScenarioTrace trace = new ModelTarget(modelSeed).Play(scenario);
        var calls = trace.OfType<CallTraced>().GroupBy(c => c.Line.Where).ToDictionary(g => g.Key, g => g.First());
        var observations = trace.OfType<ObservationTraced>().GroupBy(o => o.Line.Where).ToDictionary(g => g.Key, g => g.First());
        var lines = new List<DraftLine>(draft.Lines.Count);
        for (int i = 0; i < draft.Lines.Count; i++)
        {
            TimedLine line = scenario.Timeline[i];
            string statement = Bare(draft.Lines[i].Statement);
            if (line.Statement is HostStatement and not KillCall && calls.TryGetValue(line.Where, out CallTraced? call))
            {
                statement += " = " + call.Outcome;
            }
            else if (line.Statement is Expectation e && observations.TryGetValue(line.Where, out ObservationTraced? o))
            {
                statement = Observed(e, o.Observed) ?? statement;
            }

            lines.Add(draft.Lines[i] with { Statement = statement });
        }

        return draft with { Lines = lines };
    }

    /// <summary>The statement without a result written earlier (annotating twice gives the same text).</summary>
    private static string Bare(string statement)
    {
        int eq = statement.IndexOf(" = ", StringComparison.Ordinal);
        return eq < 0 ? statement : statement[..eq];
    }

    private static string? Observed(Expectation e, Observation o) => (e, o) switch
    {
        (ExpectSocket s, EndObservation end) => $"expect {s.Socket} {EndText(end)}",
        (ExpectCounter c, CounterObservation value) when value.Value >= 0 =>
            string.Create(CultureInfo.InvariantCulture, $"expect {c.Host} counter {c.Counter} {value.Value}"),
        (ExpectPackets p, PacketsObservation packets) =>
            ($"expect packets {p.From}->{p.To} " + string.Join(' ', packets.Flags.Select(f => f.ToNotation()))).TrimEnd(),
        _ => null,
    };

    private static string EndText(EndObservation o)
    {
        if (o.State is null) return "GONE";
        var parts = new List<string> { ObservedText.State(o.State), "timer=" + o.Timer.ToScenarioName() };
        if (o.Expires is { } expires) parts.Add("expires=" + ScenarioDraft.Time(expires < TimeSpan.Zero ? TimeSpan.Zero : expires));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"recvq={o.RecvQ} sendq={o.SendQ}"));
        parts.Add("orphan=" + (o.Orphan ? "yes" : "no"));
        return string.Join(' ', parts);
    }
}
