namespace Teardown.Lab;

/// <summary>
/// The kernel lab cannot run on this machine: <see cref="Reason"/> says what is missing in one line
/// (privilege, /dev/net/tun, the ip tool). The CLI maps it to exit code 3.
/// </summary>
public sealed class LabUnavailableException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}

/// <summary>The lab itself failed during a run (a call hung past its timeout, an agent died unexpectedly).</summary>
public sealed class LabRunException(string message, Exception? inner = null) : Exception(message, inner);
