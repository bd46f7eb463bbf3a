using System.Collections.Immutable;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;

namespace Teardown.Doctor.Export;

/// <summary>Non-listening sockets of one (state, class, side, service, command) combination.</summary>
/// <param name="State">Kernel state.</param>
/// <param name="Class">The doctor's class.</param>
/// <param name="Side">Our server or our client.</param>
/// <param name="Service">":8080" (our server), "10.0.0.5:6379" (our client), "unknown", or <see cref="ExportView.Other"/>.</param>
/// <param name="Command">The owner's task name, "none" when no process holds the socket, or <see cref="ExportView.Other"/>.</param>
/// <param name="Count">Sockets.</param>
public readonly record struct SocketGroup(TcpState State, SocketClass Class, Side Side, string Service, string Command, int Count);

/// <summary>A process holding sockets, with its descriptor use.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Command">Task name ("?" if unreadable).</param>
/// <param name="Identity">Container and pod, from the cgroup path.</param>
/// <param name="OpenFds">Open descriptors.</param>
/// <param name="FdLimit">Soft RLIMIT_NOFILE, null when unlimited or unknown.</param>
/// <param name="StuckSockets">Sockets of the doctor's findings it holds.</param>
public sealed record OwnerRow(int Pid, string Command, CgroupIdentity Identity, int OpenFds, long? FdLimit, int StuckSockets);

/// <summary>Ephemeral port use toward one destination.</summary>
/// <param name="Destination">"HOST:PORT", or <see cref="ExportView.Other"/> for the rest summed.</param>
/// <param name="InUse">Local ephemeral ports bound toward it.</param>
/// <param name="Held">Of those, held by sockets the kernel does not free by itself.</param>
/// <param name="TimeWait">Of those, TIME_WAIT.</param>
public readonly record struct DestinationPorts(string Destination, int InUse, int Held, int TimeWait);

/// <summary>Findings of one severity and class.</summary>
/// <param name="Severity">Severity.</param>
/// <param name="Class">Class.</param>
/// <param name="Findings">Findings.</param>
/// <param name="Sockets">Sockets in them.</param>
public readonly record struct FindingTally(Severity Severity, SocketClass Class, int Findings, int Sockets);

/// <summary>
/// What a fleet exporter publishes of one snapshot (every namespace read): the doctor's analysis cut
/// into series whose label values are bounded — the <c>top</c> largest services, commands, owners and
/// destinations keep their own, the rest is summed into <see cref="Other"/> — so that a host with
/// 100,000 ports cannot explode a monitoring system's cardinality.
/// </summary>
public sealed record ExportView
{
    /// <summary>The label value the values beyond the top N are summed into.</summary>
    public const string Other = "other";

    /// <summary>Sockets per kernel state (index = state number), listeners included.</summary>
    public required ImmutableArray<int> States { get; init; }

    /// <summary>Non-listening sockets grouped, bounded.</summary>
    public required ImmutableArray<SocketGroup> Groups { get; init; }

    /// <summary>
    /// Upper bounds, in seconds, of the age buckets every picture of <see cref="CloseWaitAges"/> and
    /// <see cref="FinWait2Ages"/> uses: serve's histograms and the doctor's HTML charts.
    /// </summary>
    public static IReadOnlyList<double> AgeBucketSeconds { get; } = [1, 5, 15, 60, 300, 900, 3600, 7200, 14400, 86400];

    /// <summary>Seconds since the last segment received, per CLOSE_WAIT socket (tcp_info; sockets without it are left out).</summary>
    public required ImmutableArray<double> CloseWaitAges { get; init; }

    /// <summary>The same for FIN_WAIT2 sockets.</summary>
    public required ImmutableArray<double> FinWait2Ages { get; init; }

    /// <summary>Oldest age per state and class, seconds (stuck classes only).</summary>
    public required ImmutableDictionary<(TcpState State, SocketClass Class), double> Oldest { get; init; }

    /// <summary>Top owners by stuck sockets and by open descriptors.</summary>
    public required ImmutableArray<OwnerRow> Owners { get; init; }

    /// <summary>Size of ip_local_port_range (of the first namespace).</summary>
    public required int PortRangeSize { get; init; }

    /// <summary>Busiest destinations by ephemeral ports, bounded.</summary>
    public required ImmutableArray<DestinationPorts> Destinations { get; init; }

    /// <summary>Findings per severity and class.</summary>
    public required ImmutableArray<FindingTally> Findings { get; init; }
}
