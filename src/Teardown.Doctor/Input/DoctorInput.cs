using System.Collections.Immutable;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;
using Teardown.Linux.Proc;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Input;

/// <summary>What reading the input cost (from the snapshot's statistics).</summary>
/// <param name="Sockets">Wall time of the socket dump.</param>
/// <param name="Owners">Wall time of the /proc/*/fd owner scan.</param>
/// <param name="FdsScanned">Descriptors examined by the owner scan.</param>
/// <param name="ProcessesScanned">Processes whose descriptors were read.</param>
/// <param name="OwnersMethod">How owners were found (BPF task_file iterator or /proc/*/fd), when they were.</param>
public readonly record struct ReadCost(TimeSpan Sockets, TimeSpan Owners, long FdsScanned, int ProcessesScanned, string? OwnersMethod = null);

/// <summary>
/// What the analysis reads: one namespace's sockets with their owners, settings and blind spots.
/// A view of <see cref="HostSnapshot"/> whose owner table is an interface, so that fixtures can be
/// built without the Linux layer's scanner.
/// </summary>
public sealed record DoctorInput
{
    /// <summary>When the data was read.</summary>
    public required DateTimeOffset TakenAt { get; init; }
    /// <summary>Network namespace inode (0 if unknown).</summary>
    public ulong NetNsInode { get; init; }
    /// <summary>Every TCP socket of the namespace.</summary>
    public required ImmutableArray<SocketRecord> Sockets { get; init; }
    /// <summary>Where the sockets came from.</summary>
    public SocketSource Source { get; init; } = SocketSource.SockDiag;
    /// <summary>Socket inode → owner.</summary>
    public IOwnerLookup Owners { get; init; } = DictionaryOwnerLookup.Empty;
    /// <summary>Processes holding sockets, by pid.</summary>
    public IReadOnlyDictionary<int, ProcessInfo> Processes { get; init; } = new Dictionary<int, ProcessInfo>();
    /// <summary>The namespace's sysctls.</summary>
    public NetSettings Settings { get; init; } = new();
    /// <summary>What the reader could not see.</summary>
    public ImmutableArray<BlindSpot> BlindSpots { get; init; } = [];
    /// <summary>True when an owner scan ran (otherwise "no owner" means "unknown", not "orphan").</summary>
    public bool OwnersScanned { get; init; } = true;

    /// <summary>What reading this input cost.</summary>
    public ReadCost Cost { get; init; }

    /// <summary>
    /// Sockets <c>teardown release</c> or <c>kill</c> acted on (ledger entries) whose descriptor the
    /// application still holds (<see cref="HostSnapshot.HeldAfterAction"/>).
    /// </summary>
    public ImmutableArray<LedgerEntry> HeldAfterAction { get; init; } = [];

    /// <summary>The tcp_info extension (ages, RTO) is what the doctor needs of sock_diag; not asking for sk_meminfo makes the dump cheaper.</summary>
    public const DiagExtensions NeededExtensions = DiagExtensions.TcpInfo;

    /// <summary>
    /// The states whose tcp_info the analysis reads: the teardown states, grouped into findings with
    /// their quiet time and RTO (Analysis/GroupAccumulator, Export/ExportViewBuilder). ESTABLISHED,
    /// LISTEN and opening sockets are counted, never timed, and TIME_WAIT and orphaned FIN_WAIT2
    /// mini-sockets have no tcp_info; so a snapshot for the doctor asks the kernel for tcp_info on these
    /// states only (Linux/Inventory/InventoryOptions.DetailStates).
    /// </summary>
    public const TcpStateMask DetailStates =
        TcpStateMask.CloseWait | TcpStateMask.FinWait1 | TcpStateMask.FinWait2 | TcpStateMask.LastAck | TcpStateMask.Closing;

    /// <summary>The view of a live snapshot.</summary>
    public static DoctorInput From(HostSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new DoctorInput
        {
            TakenAt = snapshot.TakenAt,
            NetNsInode = snapshot.NetNsInode,
            Sockets = snapshot.Sockets,
            Source = snapshot.SocketSource,
            Owners = new OwnerIndexLookup(snapshot.Owners),
            Processes = snapshot.Processes,
            Settings = snapshot.Settings,
            BlindSpots = snapshot.BlindSpots,
            Cost = new ReadCost(snapshot.SocketStats.Elapsed, snapshot.OwnerStats.Elapsed, snapshot.OwnerStats.FdsScanned, snapshot.OwnerStats.ProcessesScanned, snapshot.OwnerStats.Method),
            HeldAfterAction = snapshot.HeldAfterAction,
            OwnersScanned = !snapshot.BlindSpots.Any(b => b.Kind is BlindSpotKind.OwnersUnavailable or BlindSpotKind.OwnersNotScanned),
        };
    }
}
