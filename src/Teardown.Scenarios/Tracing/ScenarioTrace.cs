using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tracing;

/// <summary>Everything one run of a scenario on one target produced, in time order.</summary>
public sealed class ScenarioTrace
{
    private readonly List<TraceEntry> _entries = [];

    public ScenarioTrace(Scenario scenario, string target)
    {
        Scenario = scenario;
        Target = target;
    }

    public Scenario Scenario { get; }

    /// <summary>"model" or "kernel".</summary>
    public string Target { get; }

    public IReadOnlyList<TraceEntry> Entries => _entries;

    /// <summary>Appends an entry; entries must arrive in time order (ties keep arrival order).</summary>
    public void Add(TraceEntry entry) => _entries.Add(entry);

    public IEnumerable<T> OfType<T>()
        where T : TraceEntry => _entries.OfType<T>();
}
