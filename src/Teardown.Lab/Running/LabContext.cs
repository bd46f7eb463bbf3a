using Teardown.Lab.Wire;

namespace Teardown.Lab.Running;

/// <summary>What all hosts of one run share: the run id, the wire, the agent command and the port window.</summary>
internal sealed record LabContext(
    string RunId,
    UserspaceWire Wire,
    IReadOnlyList<string> AgentCommand,
    TimeSpan AgentStartTimeout,
    int PortLow,
    int PortHigh,
    bool RealTime = true);
