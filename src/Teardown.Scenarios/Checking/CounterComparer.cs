using System.Globalization;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// Compares the teardown counters at the end of the run (a counter never recorded by a side is 0 there,
/// since counters count from the scenario start). Counters named by <c>expect HOST counter</c> lines are also
/// compared at those lines, as observations. Counters that only measure traffic or ACK timing (InSegs,
/// DelayedACKs, TCPPureAcks, …) are not compared: they say nothing about teardown and vary with timing.
/// </summary>
internal static class CounterComparer
{
    /// <summary>The counters whose final values must agree: every rule of spec §3.3 and the connection counts.</summary>
    public static readonly IReadOnlySet<string> Compared = new HashSet<string>(StringComparer.Ordinal)
    {
        "TCPAbortOnData", "TCPAbortOnClose", "TCPAbortOnMemory", "TCPAbortOnTimeout", "TCPAbortOnLinger",
        "TW", "TWKilled", "TCPTimeWaitOverflow", "EstabResets", "OutRsts", "AttemptFails", "ActiveOpens",
        "PassiveOpens", "CurrEstab", "TCPTimeouts", "TCPKeepAlive", "TCPChallengeACK", "TCPSYNChallenge",
        "PAWSEstab",
    };

    public static void Compare(
        ComparisonBuilder builder,
        ScenarioTrace model,
        ScenarioTrace kernel,
        IReadOnlyDictionary<SourcePosition, ObservationTraced> modelObs,
        IReadOnlyDictionary<SourcePosition, ObservationTraced> kernelObs)
    {
        var checkpoints = new List<(TimedLine? Line, TimeSpan Model, TimeSpan Kernel)>();
        TimeSpan end = Last(model) > Last(kernel) ? Last(model) : Last(kernel);
        checkpoints.Add((null, TimeSpan.MaxValue, TimeSpan.MaxValue));

        var keys = model.OfType<CounterTraced>().Concat(kernel.OfType<CounterTraced>())
            .Where(c => Compared.Contains(c.Counter))
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
