using System.Collections.Immutable;
using Teardown.Linux.Ledger;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>Cost of reading the sockets.</summary>
/// <param name="Elapsed">Wall time of the socket read (both families).</param>
/// <param name="ReceiveCalls">recv() calls on the netlink socket (0 for /proc).</param>
/// <param name="Bytes">Bytes read.</param>
public readonly record struct SocketReadStats(TimeSpan Elapsed, int ReceiveCalls, long Bytes);

/// <summary>Cost and races of the owner scan.</summary>
/// <param name="Elapsed">Wall time.</param>
/// <param name="ProcessesScanned">Processes whose fds were read.</param>
/// <param name="FdsScanned">Descriptors examined.</param>
/// <param name="ProcessesVanished">Processes that exited mid-scan.</param>
/// <param name="FdsVanished">Descriptors closed mid-scan.</param>
/// <param name="ProcessesUnreadable">Processes whose fds were unreadable.</param>
public readonly record struct OwnerScanStats(TimeSpan Elapsed, int ProcessesScanned, long FdsScanned, int ProcessesVanished, int FdsVanished, int ProcessesUnreadable, string? Method = null);

/// <summary>
/// Everything known about one network namespace's TCP sockets at one moment: the input of the
/// doctor's pure analysis. Immutable. Fields that could not be read are empty and explained in
/// <see cref="BlindSpots"/>.
/// </summary>
public sealed record HostSnapshot
{
    /// <summary>When the snapshot was started (from the injected <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>Inode of the inspected network namespace (0 if unknown).</summary>
    public required ulong NetNsInode { get; init; }

    /// <summary>Every TCP socket read, IPv4 then IPv6.</summary>
    public required ImmutableArray<SocketRecord> Sockets { get; init; }

    /// <summary>Where the sockets came from.</summary>
    public required SocketSource SocketSource { get; init; }

    /// <summary>Socket inode → owning (pid, fd), host-wide.</summary>
    public required OwnerIndex Owners { get; init; }

    /// <summary>Processes holding at least one socket, by pid.</summary>
    public required IReadOnlyDictionary<int, ProcessInfo> Processes { get; init; }

    /// <summary>Teardown-relevant sysctls of the namespace.</summary>
    public required NetSettings Settings { get; init; }

    /// <summary>MIB and sockstat counters of the namespace.</summary>
    public required NetCounters Counters { get; init; }

    /// <summary>What could not be seen, and why.</summary>
    public required ImmutableArray<BlindSpot> BlindSpots { get; init; }

    /// <summary>Cost of the socket read.</summary>
    public SocketReadStats SocketStats { get; init; }

    /// <summary>Cost and races of the owner scan.</summary>
    public OwnerScanStats OwnerStats { get; init; }

    /// <summary>
    /// Sockets of this namespace that <c>teardown release</c> or <c>kill</c> acted on (action ledger)
    /// whose descriptor the application still holds: <c>/proc/PID/fd/FD</c> still links to
    /// <c>socket:[INODE]</c>. Empty when the ledger was not read (<see cref="SnapshotRequest.Ledger"/>).
    /// </summary>
    public ImmutableArray<LedgerEntry> HeldAfterAction { get; init; } = [];

    /// <summary>The action ledger's totals (host-wide, the same in every namespace's snapshot), or null when it was not read.</summary>
    public LedgerTotals? ActionTotals { get; init; }
}
