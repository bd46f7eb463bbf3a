using System.Globalization;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// Compares every counter either side recorded, as it stood at each observation (on each side, at that
/// side's own observation time) and at the end of the run. A counter never recorded by a side is 0 there,
/// since counters count from the scenario start. A disagreement is reported when it first appears or changes.
/// </summary>
internal static class CounterComparer
{
    public static void Compare(
        ComparisonBuilder builder,
        ScenarioTrace model,
        ScenarioTrace kernel,
        IReadOnlyDictionary<SourcePosition, ObservationTraced> modelObs,
        IReadOnlyDictionary<SourcePosition, ObservationTraced> kernelObs)
    {
        var checkpoints = new List<(TimedLine? Line, TimeSpan Model, TimeSpan Kernel)>();
        foreach (TimedLine line in builder.Scenario.Timeline.Where(l => l.Statement is Expectation))
        {
            TimeSpan m = modelObs.TryGetValue(line.Where, out ObservationTraced? mo) ? mo.At : line.At;
            TimeSpan k = kernelObs.TryGetValue(line.Where, out ObservationTraced? ko) ? ko.At : line.At;
            checkpoints.Add((line, m, k));
        }

        TimeSpan end = Last(model) > Last(kernel) ? Last(model) : Last(kernel);
        checkpoints.Add((null, TimeSpan.MaxValue, TimeSpan.MaxValue));

        var keys = model.OfType<CounterTraced>().Concat(kernel.OfType<CounterTraced>())
            .Select(c => (c.Host, c.Counter)).Distinct().OrderBy(k => k.Host, StringComparer.Ordinal).ThenBy(k => k.Counter, StringComparer.Ordinal);
        foreach ((string host, string counter) in keys)
        {
            builder.Compared(Aspects.Counter);
            (long, long)? reported = null;
            foreach ((TimedLine? line, TimeSpan mAt, TimeSpan kAt) in checkpoints)
            {
                long m = ValueAt(model, host, counter, mAt);
                long k = ValueAt(kernel, host, counter, kAt);
                if (m == k)
                {
                    reported = null;
                    continue;
                }

                if (reported == (m, k)) continue;
                reported = (m, k);
                builder.Diverged(line, Aspects.Counter, Text(host, counter, m), Text(host, counter, k), line?.At ?? end);
            }
        }
    }

    private static TimeSpan Last(ScenarioTrace trace) => trace.Entries.Count == 0 ? TimeSpan.Zero : trace.Entries[^1].At;

    private static long ValueAt(ScenarioTrace trace, string host, string counter, TimeSpan at) =>
        trace.OfType<CounterTraced>().LastOrDefault(c => c.Host == host && c.Counter == counter && c.At <= at)?.Value ?? 0;

    private static string Text(string host, string counter, long value) =>
        string.Create(CultureInfo.InvariantCulture, $"{host} {counter} = {value}");
}
