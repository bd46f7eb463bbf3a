using Teardown.Doctor.Classification;

namespace Teardown.Doctor.Findings;

/// <summary>The process a finding's sockets belong to.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Comm">Task name, if readable.</param>
/// <param name="Executable">argv[0], if readable.</param>
/// <param name="CgroupPath">cgroup path (container), if readable.</param>
/// <param name="FdCount">Descriptors open (from /proc/PID/fd).</param>
/// <param name="FdLimit">Soft RLIMIT_NOFILE (from /proc/PID/limits), null if unknown or unlimited.</param>
public sealed record OwnerSummary(int Pid, string? Comm, string? Executable, string? CgroupPath, int FdCount, long? FdLimit)
{
    /// <summary>"nginx (pid 42)".</summary>
    public string Display => $"{Comm ?? "?"} (pid {Pid})";
}

/// <summary>One socket shown as an example.</summary>
/// <param name="Local">Local endpoint.</param>
/// <param name="Remote">Remote endpoint.</param>
/// <param name="KernelState">The kernel state.</param>
/// <param name="RecvQ">Recv-Q bytes (an unread FIN counts 1).</param>
/// <param name="SendQ">Send-Q bytes.</param>
/// <param name="Inode">Socket inode (0: no descriptor).</param>
/// <param name="Fd">Owner's descriptor number, if owned.</param>
/// <param name="QuietMs">ms since the last segment received (tcp_info), if known.</param>
/// <param name="TimerMs">ms until the socket's timer fires, 0 if none.</param>
/// <param name="Peer">Class of the other end when it lives on this host.</param>
/// <param name="Timer">Timer kind as ss names it (on, keepalive, timewait, persist), or null when none.</param>
/// <param name="Retrans">Retransmissions or probes outstanding (idiag_retrans).</param>
public sealed record SocketExample(string Local, string Remote, TcpState KernelState, uint RecvQ, uint SendQ, ulong Inode, int? Fd, uint? QuietMs, uint TimerMs, SocketClass? Peer,
    string? Timer = null, byte Retrans = 0)
{
    /// <summary>The state as <c>ss</c> prints it, for tables people read beside <c>ss</c> output.</summary>
    public string State => KernelState.ToSsName();
}

/// <summary>A group of sockets stuck for the same reason, in the same process, against the same service.</summary>
public sealed record Finding
{
    /// <summary>The socket class (also the finding's kind id).</summary>
    public required SocketClass Class { get; init; }
    /// <summary>How urgent.</summary>
    public required Severity Severity { get; init; }
    /// <summary>Our server or our client.</summary>
    public required Side Side { get; init; }
    /// <summary>One line: what is stuck, where.</summary>
    public required string Title { get; init; }
    /// <summary>Sockets in the group.</summary>
    public required int Count { get; init; }
    /// <summary>The owner, or null for sockets no process holds.</summary>
    public OwnerSummary? Owner { get; init; }
    /// <summary>The service: "local :8080" (server) or "remote 10.0.0.5:6379" (client).</summary>
    public required string Service { get; init; }
    /// <summary>Whose side is at fault.</summary>
    public required string Fault { get; init; }
    /// <summary>What happened, mechanically.</summary>
    public required string Mechanism { get; init; }
    /// <summary>What fixes it, and what does not.</summary>
    public required IReadOnlyList<string> Fix { get; init; }
    /// <summary>The <c>teardown release</c> / <c>kill</c> command that clears these sockets now (a dry run without --apply), or null when neither applies.</summary>
    public string? Remediation { get; init; }
    /// <summary>Whether and when the kernel frees them.</summary>
    public required Reap Reap { get; init; }
    /// <summary>
    /// The sockets the model is seeded from to forecast them (<c>teardown whatif</c>, and <see cref="Reap"/> where
    /// timers decide): the one expected to last longest first, then the one expected to go first. Empty when
    /// the model has no story for the class.
    /// </summary>
    public IReadOnlyList<Teardown.Doctor.Forecast.ObservedEnd> Seeds { get; init; } = [];
    /// <summary>Numbers with units and sources.</summary>
    public required IReadOnlyList<Figure> Figures { get; init; }
    /// <summary>A few sockets.</summary>
    public required IReadOnlyList<SocketExample> Examples { get; init; }
    /// <summary>How many have their other end on this host.</summary>
    public int PairedOnHost { get; init; }
    /// <summary>The most common class of those other ends.</summary>
    public SocketClass? PeerClass { get; init; }
    /// <summary>The pid holding most of those other ends.</summary>
    public int? PeerPid { get; init; }
}
