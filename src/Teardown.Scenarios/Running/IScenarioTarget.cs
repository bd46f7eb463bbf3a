using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Running;

/// <summary>
/// Something that can play a scenario: the model (virtual time) or the kernel (real time, namespaces).
/// A target records an <see cref="ObservationTraced"/> for every expectation line and a
/// <see cref="CallTraced"/> for every performed statement; checking is done afterwards from the trace.
/// </summary>
public interface IScenarioTarget
{
    /// <summary>"model" or "kernel".</summary>
    string Name { get; }

    Task<ScenarioTrace> PlayAsync(Scenario scenario, CancellationToken cancellationToken);
}
