using System.Collections.Immutable;
using Teardown.Doctor.Export;
using Teardown.Doctor.Report;

namespace Teardown.Server.Snapshots;

/// <summary>
/// One analysed snapshot with everything the endpoints serve already rendered, so that a scrape or
/// a page load only copies bytes: the cost is one snapshot per interval whatever the number of
/// clients, and a scrape's latency does not depend on the host's size.
/// </summary>
public sealed record ServedSnapshot
{
    /// <summary>When the snapshot was started.</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The doctor's reports, one per namespace.</summary>
    public required ImmutableArray<DoctorReport> Reports { get; init; }

    /// <summary>The bounded view the metrics are made of.</summary>
    public required ExportView View { get; init; }

    /// <summary>Wall time of read + analysis.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Wall time of each stage.</summary>
    public SnapshotStages Stages { get; init; }

    /// <summary>CPU time (user + system) of this process during the snapshot.</summary>
    public required TimeSpan Cpu { get; init; }

    /// <summary>Kernel counters per namespace.</summary>
    public required ImmutableArray<NamespaceCounters> Counters { get; init; }

    /// <summary>Sockets read, every namespace.</summary>
    public required int Sockets { get; init; }

    /// <summary>Descriptors examined by the owner scan.</summary>
    public required long FdsScanned { get; init; }

    /// <summary>How sockets were read ("sock_diag" or "proc").</summary>
    public required string SocketSource { get; init; }

    /// <summary>How owners were found ("bpf", "proc" or "none").</summary>
    public required string OwnerMethod { get; init; }

    /// <summary>The doctor's JSON (schema teardown.doctor/2), UTF-8.</summary>
    public required ReadOnlyMemory<byte> ReportJson { get; init; }

    /// <summary>The top owners as JSON, UTF-8.</summary>
    public required ReadOnlyMemory<byte> OwnersJson { get; init; }

    /// <summary>Sockets <c>teardown release</c> / <c>kill</c> acted on, by action and outcome (the action ledger, since boot), or null when it was not read.</summary>
    public Teardown.Linux.Ledger.LedgerTotals? Actions { get; init; }
}

/// <summary>Wall time of a snapshot's stages (the socket dump and the owner scan run side by side).</summary>
/// <param name="Sockets">sock_diag dumps (or /proc/net/tcp), every namespace.</param>
/// <param name="Owners">The owner scan (BPF task_file iterator or /proc/*/fd).</param>
/// <param name="Analysis">Classification, the doctor's analysis and the export view.</param>
public readonly record struct SnapshotStages(TimeSpan Sockets, TimeSpan Owners, TimeSpan Analysis);
