namespace Teardown.Lab.Agent;

/// <summary>Why the agent could not perform a request at all (as opposed to a call that ran and failed with an errno).</summary>
public enum AgentFault
{
    /// <summary>No fault: the request was performed.</summary>
    None,

    /// <summary>The request names an operation the agent does not know.</summary>
    UnknownOp,

    /// <summary>The request names a socket the agent does not hold (closed already, or never created).</summary>
    UnknownSocket,

    /// <summary>An argument could not be used (an unparsable address, an option without a value, a value out of range).</summary>
    BadArgument,
}
