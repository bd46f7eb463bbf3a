using Teardown.Lab;
using Teardown.Scenarios.Running;

namespace Teardown.Cli.Commands;

/// <summary>Creates the scenario target named on the command line.</summary>
internal static class TargetFactory
{
    public static IScenarioTarget Create(string name, ulong seed) => name switch
    {
        "model" => new ModelTarget(seed),
        "kernel" => new KernelTarget(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown target"),
    };
}
