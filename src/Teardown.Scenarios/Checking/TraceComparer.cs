using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// Compares a model trace with a kernel trace of the same scenario (the <c>diff</c> command): call results
/// and return times, observations, each connection end's sequence of states, each direction's sequence of
/// segments, and counters. The kernel is the oracle, so texts say what each side did without judging.
/// Times are compared with the scenario's tolerance; lines are matched by their position in the file.
/// </summary>
public static class TraceComparer
{
    public static Comparison Compare(ScenarioTrace model, ScenarioTrace kernel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(kernel);
        var builder = new ComparisonBuilder(model.Scenario);
        Tolerance tolerance = model.Scenario.Tolerance;
        Dictionary<SourcePosition, CallTraced> modelCalls = ByLine(model.OfType<CallTraced>(), c => c.Line);
        Dictionary<SourcePosition, CallTraced> kernelCalls = ByLine(kernel.OfType<CallTraced>(), c => c.Line);
        Dictionary<SourcePosition, ObservationTraced> modelObs = ByLine(model.OfType<ObservationTraced>(), o => o.Line);
        Dictionary<SourcePosition, ObservationTraced> kernelObs = ByLine(kernel.OfType<ObservationTraced>(), o => o.Line);

        foreach (TimedLine line in model.Scenario.Timeline)
        {
            if (line.Statement is HostStatement)
            {
                CompareCall(builder, line, modelCalls.GetValueOrDefault(line.Where), kernelCalls.GetValueOrDefault(line.Where), tolerance);
            }
            else if (line.Statement is Expectation)
            {
                CompareObservation(builder, line, modelObs.GetValueOrDefault(line.Where), kernelObs.GetValueOrDefault(line.Where), tolerance);
            }
        }

        SequenceComparer.CompareStates(builder, model, kernel);
        SequenceComparer.CompareSegments(builder, model, kernel);
        CounterComparer.Compare(builder, model, kernel, modelObs, kernelObs);
        return builder.Build();
    }

    private static Dictionary<SourcePosition, T> ByLine<T>(IEnumerable<T> entries, Func<T, TimedLine> line)
    {
        var map = new Dictionary<SourcePosition, T>();
        foreach (T e in entries) map.TryAdd(line(e).Where, e);
        return map;
    }

    private static void CompareCall(ComparisonBuilder builder, TimedLine line, CallTraced? model, CallTraced? kernel, Tolerance tolerance)
    {
        if (model is null && kernel is null) return;
        builder.Compared(Aspects.Result);
        if (model is null || kernel is null)
        {
            builder.Diverged(line, Aspects.Result, Outcome(model), Outcome(kernel), line.At);
            return;
        }

        if (model.Outcome != kernel.Outcome) builder.Diverged(line, Aspects.Result, Outcome(model), Outcome(kernel), model.At);

        // What a call's return time says about the kernel is how long the call took: a call the lab started
        // late (a busy machine, a reply in flight) returns late without blocking any longer. Lateness in
        // starting is noted in the trace; the result and the observations that follow still have to agree.
        builder.Compared(Aspects.ReturnTime);
        TimeSpan modelTook = model.Returned - model.At;
        TimeSpan kernelTook = kernel.Returned - kernel.At;
        TimeSpan allowed = tolerance.Allowed(modelTook);
        if ((kernelTook - modelTook).Duration() > allowed)
        {
            builder.Diverged(line, Aspects.ReturnTime, Took(model), Took(kernel), model.Returned);
        }
    }

    private static string Took(CallTraced call) =>
        $"returned at {Seconds(call.Returned)} after {Seconds(call.Returned - call.At)}";

    private static void CompareObservation(ComparisonBuilder builder, TimedLine line, ObservationTraced? model, ObservationTraced? kernel, Tolerance tolerance)
    {
        if (model is null && kernel is null) return;
        builder.Compared(Aspects.Observation);
        if (model is null || kernel is null || !Same(model.Observed, kernel.Observed, tolerance))
        {
            builder.Diverged(line, Aspects.Observation, Observed(model), Observed(kernel), line.At);
        }
    }

    /// <summary>Everything an observation holds must match; only the time left on a timer may differ, within tolerance.</summary>
    internal static bool Same(Observation model, Observation kernel, Tolerance tolerance) => (model, kernel) switch
    {
        (EndObservation m, EndObservation k) => m.State == k.State && m.Timer == k.Timer && m.RecvQ == k.RecvQ && m.SendQ == k.SendQ &&
            m.Orphan == k.Orphan && SameExpiry(m, k, tolerance),
        (CounterObservation m, CounterObservation k) => m.Value == k.Value,
        (PacketsObservation m, PacketsObservation k) => m.Flags.SequenceEqual(k.Flags),
        _ => false,
    };

    /// <summary>
    /// The model's timers are exact; the kernel's timer wheel fires a timer up to a granularity late
    /// (kernel/time/timer.c:calc_index), and whatever that timer does — re-arming itself, a retransmission,
    /// the peer's answer — happens that much later. The model carries the sum of those bounds along each chain
    /// of causes (<see cref="EndObservation.ExpiresLateness"/>), so the kernel's time left may exceed the
    /// model's by that much; beyond it, and in the other direction, only the scenario's tolerance applies.
    /// </summary>
    private static bool SameExpiry(EndObservation m, EndObservation k, Tolerance tolerance) => (m.Expires, k.Expires) switch
    {
        (null, null) => true,
        ({ } me, { } ke) => ke - me >= -tolerance.Allowed(me) && ke - me <= m.ExpiresLateness + tolerance.Allowed(me),
        _ => false,
    };

    private static string Outcome(CallTraced? call) => call is null ? ExpectationChecker.NotPerformed : "= " + call.Outcome;

    private static string Observed(ObservationTraced? o) => o is null ? ExpectationChecker.NotObserved : ObservedText.Observation(o.Observed);

    internal static string Seconds(TimeSpan t) => Syntax.Parsing.NumberSyntax.FormatSeconds(t);
}
