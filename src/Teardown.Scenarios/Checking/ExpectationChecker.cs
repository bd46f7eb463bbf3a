using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Syntax.Parsing;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// Checks a trace against what its scenario asserts: every <c>= RESULT</c>, the return time of every
/// <c>START...END</c> blocking call, and every expectation line. Only what the scenario wrote is checked.
/// Times are compared with the scenario's tolerance on every target (the model's timers are exact,
/// so for the model the tolerance only absorbs rounding).
/// </summary>
public static class ExpectationChecker
{
    public const string NotPerformed = "not performed";
    public const string StillBlocked = "still blocked when the scenario ended";
    public const string NotObserved = "not observed";

    /// <summary>Verdicts in timeline order; a line may yield two (its result and its return time).</summary>
    public static IReadOnlyList<Verdict> Check(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);

        // Lines are matched by their position, which is unique in a file and survives copies of the line.
        var calls = new Dictionary<SourcePosition, CallTraced>();
        foreach (CallTraced call in trace.OfType<CallTraced>()) calls.TryAdd(call.Line.Where, call);
        var observations = new Dictionary<SourcePosition, ObservationTraced>();
        foreach (ObservationTraced o in trace.OfType<ObservationTraced>()) observations.TryAdd(o.Line.Where, o);
        var blocked = trace.OfType<CallBlockedTraced>().Select(b => b.Line.Where).ToHashSet();

        Tolerance tolerance = trace.Scenario.Tolerance;
        var verdicts = new List<Verdict>();
        foreach (TimedLine line in trace.Scenario.Timeline)
        {
            if (line.Statement is Expectation expectation)
            {
                verdicts.Add(observations.TryGetValue(line.Where, out ObservationTraced? o)
                    ? ObservationCheck.Check(line, expectation, o.Observed, tolerance, timerWheelSlack: trace.Kind == TargetKind.Kernel)
                    : new Verdict(line, false, Describe(expectation), NotObserved));
                continue;
            }

            calls.TryGetValue(line.Where, out CallTraced? call);
            string missing = blocked.Contains(line.Where) ? StillBlocked : NotPerformed;
            if (line.Result is { } expected) verdicts.Add(CheckResult(line, expected, call, missing));
            if (line.ReturnsAt is { } returnsAt) verdicts.Add(CheckReturn(line, returnsAt, call, tolerance, missing));
        }

        return verdicts;
    }

    /// <summary>Whether an outcome satisfies an expected result; a bare errno (for <c>error</c>) matches any non-failing value with that errno.</summary>
    public static bool Matches(ExpectedResult expected, CallOutcome outcome, Statement statement) =>
        statement is ErrorCall && expected.Errno != Errno.None && expected.Value != -1
            ? outcome.Errno == expected.Errno && outcome.Value != -1
            : outcome.Value == expected.Value && outcome.Errno == expected.Errno;

    private static Verdict CheckResult(TimedLine line, ExpectedResult expected, CallTraced? call, string missing) =>
        call is null
            ? new Verdict(line, false, "= " + expected, missing)
            : new Verdict(line, Matches(expected, call.Outcome, line.Statement), "= " + expected, "= " + call.Outcome);

    private static Verdict CheckReturn(TimedLine line, TimeSpan returnsAt, CallTraced? call, Tolerance tolerance, string missing)
    {
        TimeSpan allowed = tolerance.Allowed(returnsAt - line.At);
        string expected = $"returns at {NumberSyntax.FormatSeconds(returnsAt)} ± {NumberSyntax.FormatSeconds(allowed)}";
        if (call is null) return new Verdict(line, false, expected, missing);
        bool passed = (call.Returned - returnsAt).Duration() <= allowed;
        return new Verdict(line, passed, expected, $"returned at {NumberSyntax.FormatSeconds(call.Returned)}");
    }

    private static string Describe(Expectation e) => e switch
    {
        ExpectSocket s => $"{s.Socket} {ObservedText.Expected(s)}",
        ExpectCounter c => FormattableString.Invariant($"{c.Host} counter {c.Counter} {c.Value}"),
        ExpectPackets p => $"packets {p.From}->{p.To} {ObservedText.Flags(p.Flags)}",
        _ => e.ToString(),
    };

    /// <summary>Checks one observation against its expectation.</summary>
    private static class ObservationCheck
    {
        /// <param name="timerWheelSlack">
        /// On the kernel, a timer may fire up to ~1/8 of its timeout late (kernel/time/timer.c:calc_wheel_index
        /// rounds it up to its wheel level's granularity); the time left is then allowed that much more.
        /// </param>
        public static Verdict Check(TimedLine line, Expectation expectation, Observation observed, Tolerance tolerance, bool timerWheelSlack = false)
        {
            string expected = Describe(expectation);
            return (expectation, observed) switch
            {
                (ExpectSocket e, EndObservation o) => new Verdict(line, EndMatches(e, o, tolerance, timerWheelSlack), expected, $"{e.Socket} {ObservedText.Observed(o, e)}"),
                (ExpectCounter e, CounterObservation o) => new Verdict(line, e.Value == o.Value, expected,
                    FormattableString.Invariant($"{e.Host} counter {e.Counter} {o.Value}")),
                (ExpectPackets e, PacketsObservation o) => new Verdict(line, e.Flags.SequenceEqual(o.Flags), expected,
                    $"packets {e.From}->{e.To} {ObservedText.Flags(o.Flags)}"),
                _ => new Verdict(line, false, expected, $"an observation of the wrong kind: {ObservedText.Observation(observed)}"),
            };
        }

        private static bool EndMatches(ExpectSocket e, EndObservation o, Tolerance tolerance, bool timerWheelSlack)
        {
            if (e.State != o.State) return false;
            if (e.Timer is { } timer && timer != o.Timer) return false;
            if (e.Expires is { } expires)
            {
                TimeSpan allowed = tolerance.Allowed(expires);
                if (timerWheelSlack && expires.Ticks / 8 > allowed.Ticks) allowed = TimeSpan.FromTicks(expires.Ticks / 8);
                if (o.Expires is not { } observed || (observed - expires).Duration() > allowed) return false;
            }

            if (e.RecvQ is { } recvq && recvq != o.RecvQ) return false;
            if (e.SendQ is { } sendq && sendq != o.SendQ) return false;
            return e.Orphan is not { } orphan || orphan == o.Orphan;
        }
    }
}
