using Teardown.Doctor.Classification;

namespace Teardown.Doctor.Actions;

/// <summary>
/// Which sockets to act on, chosen the way the doctor groups them. Every given criterion must match.
/// LISTEN and ESTABLISHED sockets (and TIME_WAIT, which the kernel frees itself) are never chosen
/// unless <see cref="States"/> names them.
/// </summary>
public sealed record ActionSelection
{
    /// <summary>The action asked for.</summary>
    public required ActionKind Action { get; init; }

    /// <summary>The doctor's finding number (1-based, as printed), re-derived from the report given.</summary>
    public int? Finding { get; init; }

    /// <summary>Only this class.</summary>
    public SocketClass? Class { get; init; }

    /// <summary>Only sockets held by this process.</summary>
    public int? Pid { get; init; }

    /// <summary>Only sockets whose local or remote port is this.</summary>
    public int? Port { get; init; }

    /// <summary>Only sockets toward this remote "address" or "address:port".</summary>
    public string? Remote { get; init; }

    /// <summary>Only sockets quiet (no segment received) for at least this long.</summary>
    public TimeSpan? OlderThan { get; init; }

    /// <summary>At most this many actions.</summary>
    public int? Limit { get; init; }

    /// <summary>States explicitly asked for (the only way to select LISTEN, ESTABLISHED or TIME_WAIT).</summary>
    public IReadOnlySet<TcpState> States { get; init; } = new HashSet<TcpState>();
}
