using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Checking;

/// <summary>Collects divergences and per-aspect tallies while the comparers run.</summary>
internal sealed class ComparisonBuilder
{
    private readonly List<Divergence> _divergences = [];
    private readonly Dictionary<string, (int Compared, int Diverged)> _tally = Aspects.All.ToDictionary(a => a, _ => (0, 0), StringComparer.Ordinal);

    public ComparisonBuilder(Scenario scenario) => Scenario = scenario;

    public Scenario Scenario { get; }

    public void Compared(string aspect)
    {
        (int compared, int diverged) = _tally[aspect];
        _tally[aspect] = (compared + 1, diverged);
    }

    /// <summary>Records a divergence of an item already counted by <see cref="Compared"/>.</summary>
    public void Diverged(TimedLine? line, string aspect, string model, string kernel, TimeSpan at)
    {
        (int compared, int diverged) = _tally[aspect];
        _tally[aspect] = (compared, diverged + 1);
        _divergences.Add(new Divergence(line, aspect, model, kernel) { At = at });
    }

    /// <summary>The last timeline line at or before <paramref name="at"/>: the context a state or segment difference arose in.</summary>
    public TimedLine? LineBefore(TimeSpan at) => Scenario.Timeline.LastOrDefault(l => l.At <= at);

    public Comparison Build()
    {
        // Stable sort: by time, then by aspect in report order; ties keep discovery order.
        Divergence[] ordered = _divergences
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.At)
            .ThenBy(x => IndexOfAspect(x.d.Aspect))
            .ThenBy(x => x.i)
            .Select(x => x.d)
            .ToArray();
        AspectSummary[] summary = Aspects.All.Select(a => new AspectSummary(a, _tally[a].Compared, _tally[a].Diverged)).ToArray();
        return new Comparison(ordered, summary);
    }

    private static int IndexOfAspect(string aspect)
    {
        for (int i = 0; i < Aspects.All.Count; i++)
        {
            if (Aspects.All[i] == aspect) return i;
        }

        return Aspects.All.Count;
    }
}
