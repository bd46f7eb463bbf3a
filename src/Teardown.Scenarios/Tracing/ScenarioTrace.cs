using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tracing;

/// <summary>Where a scenario was played.</summary>
public enum TargetKind
{
    /// <summary>The deterministic model (virtual time).</summary>
    Model,
    /// <summary>This machine's Linux kernel in private namespaces (real time, timer-wheel granularity).</summary>
    Kernel,
}

/// <summary>Everything one run of a scenario on one target produced, in time order.</summary>
public sealed class ScenarioTrace
{
    private readonly List<TraceEntry> _entries = [];

    public ScenarioTrace(Scenario scenario, TargetKind target)
    {
        Scenario = scenario;
        Kind = target;
    }

    public Scenario Scenario { get; }

    /// <summary>Which target played it.</summary>
    public TargetKind Kind { get; }

    /// <summary>"model" or "kernel", as traces and timelines name the target.</summary>
    public string Target => Kind switch
    {
        TargetKind.Model => "model",
        TargetKind.Kernel => "kernel",
        _ => Kind.ToString(),
    };

    public IReadOnlyList<TraceEntry> Entries => _entries;

    /// <summary>How precisely the lab kept time (kernel runs; null for the model, whose clock is virtual).</summary>
    public LabPrecision? Precision { get; set; }

    /// <summary>Appends an entry; entries must arrive in time order (ties keep arrival order).</summary>
    public void Add(TraceEntry entry) => _entries.Add(entry);

    public IEnumerable<T> OfType<T>()
        where T : TraceEntry => _entries.OfType<T>();
}
