using Teardown.Linux.Ledger;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Owners;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>Which network namespaces a snapshot covers, and how it reads them.</summary>
public sealed record SnapshotRequest
{
    /// <summary>Every network namespace on the host (containers), not only ours.</summary>
    public bool AllNamespaces { get; init; }

    /// <summary>The namespace of this process instead of ours (ignored with <see cref="AllNamespaces"/>).</summary>
    public int? NamespaceOfPid { get; init; }

    /// <summary>Socket source.</summary>
    public SocketSourcePreference Source { get; init; } = SocketSourcePreference.SockDiag;

    /// <summary>How owners are found.</summary>
    public OwnerScanMethod OwnerMethod { get; init; } = OwnerScanMethod.Auto;

    /// <summary>Netlink extensions to ask for.</summary>
    public DiagExtensions Extensions { get; init; } = DiagExtensions.TcpInfo | DiagExtensions.SkMemInfo;

    /// <summary>States to dump (default all, bound-inactive sockets included).</summary>
    public TcpStateMask States { get; init; } = TcpStateMask.All;

    /// <summary>States whose sockets get the extensions (see <see cref="InventoryOptions.DetailStates"/>; default all).</summary>
    public TcpStateMask DetailStates { get; init; } = TcpStateMask.All;

    /// <summary>
    /// From how many sockets the dump is split in two threads (see <see cref="InventoryOptions.SplitDumpAbove"/>):
    /// shorter wall time for a one-shot command, at the price of a second walk of the kernel's hash tables.
    /// </summary>
    public int SplitDumpAbove { get; init; } = new InventoryOptions().SplitDumpAbove;

    /// <summary>The dump's working table, kept between snapshots by a long-running caller (see <see cref="SocketTableScratch"/>).</summary>
    public SocketTableScratch? Scratch { get; init; }

    /// <summary>An owner scan already running, for the first namespace read to use.</summary>
    public OwnerPrefetch? Prefetch { get; init; }

    /// <summary>
    /// The action ledger to read after the sockets (null: not read): its totals and, per namespace,
    /// the released or killed sockets whose descriptor is still held. A long-lived caller (serve,
    /// watch) passes the same follower every time, so each snapshot reads only the new lines.
    /// </summary>
    public LedgerFollower? Ledger { get; init; }
}

/// <summary>
/// Snapshots of one namespace (ours, or that of a process) or of every namespace on the host. The
/// owner scan is host-wide (/proc/*/fd is not per netns), so it runs once, with the first
/// namespace, and is shared by every other namespace's snapshot. Failures become blind spots,
/// never exceptions.
/// </summary>
public static class NamespaceSnapshots
{
    /// <summary>Takes the snapshots (at least one).</summary>
    /// <param name="request">What to read.</param>
    /// <param name="whileScanning">Work on the first namespace's owner-less snapshot that overlaps the owner scan (e.g. classification).</param>
    public static IReadOnlyList<HostSnapshot> Take(SnapshotRequest request, Action<HostSnapshot>? whileScanning = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshots = TakeSockets(request, whileScanning);
        return request.Ledger is { } ledger ? WithLedger(snapshots, ledger) : snapshots;
    }

    /// <summary>
    /// Polls the ledger, checks which released or killed descriptors are still held and gives each
    /// snapshot those of its namespace (entries of an unknown namespace, 0, go to the first) and the
    /// ledger's totals. Descriptors found closed are forgotten: a closed descriptor never comes back.
    /// </summary>
    public static IReadOnlyList<HostSnapshot> WithLedger(IReadOnlyList<HostSnapshot> snapshots, LedgerFollower ledger, string procRoot = "/proc")
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(ledger);
        ledger.Poll();
        var check = HeldDescriptors.Check(ledger.HeldCandidates, procRoot);
        ledger.Forget(check.Closed);
        var result = new List<HostSnapshot>(snapshots.Count);
        for (int i = 0; i < snapshots.Count; i++)
        {
            var s = snapshots[i];
            var blind = s.BlindSpots;
            if (i == 0 && ledger.LastError is string error)
            {
                blind = blind.Add(new BlindSpot(BlindSpotKind.CountersUnreadable, $"action ledger unreadable ({error}): released and killed sockets are not counted"));
            }

            if (i == 0 && check.Unreadable.Length > 0)
            {
                blind = blind.Add(new BlindSpot(BlindSpotKind.CountersUnreadable,
                    $"{check.Unreadable.Length} descriptors released or killed by teardown could not be checked (/proc/PID/fd unreadable): whether the application still holds them is unknown"));
            }

            result.Add(s with
            {
                HeldAfterAction = [.. check.Held.Where(e => e.NetnsInode == s.NetNsInode || (i == 0 && e.NetnsInode == 0))],
                ActionTotals = ledger.Totals,
                BlindSpots = blind,
            });
        }

        return result;
    }

    private static IReadOnlyList<HostSnapshot> TakeSockets(SnapshotRequest request, Action<HostSnapshot>? whileScanning)
    {
        var options = new InventoryOptions
        {
            Source = request.Source, OwnerMethod = request.OwnerMethod, Extensions = request.Extensions, States = request.States, SplitDumpAbove = request.SplitDumpAbove,
            DetailStates = request.DetailStates, Scratch = request.Scratch,
        };
        if (request.AllNamespaces) return TakeAll(options, request.Prefetch, whileScanning);
        if (request.NamespaceOfPid is not int pid) return [ParallelInventory.Take(options, prefetch: request.Prefetch, whileScanning: whileScanning)];

        // The namespace the process lives in, which may not be ours (a container).
        var opened = NetNsHandle.Open($"/proc/{pid}/ns/net");
        if (opened.IsOk)
        {
            using var handle = opened.Value;
            return [ParallelInventory.Take(options with { Namespace = handle }, prefetch: request.Prefetch, whileScanning: whileScanning)];
        }

        var own = ParallelInventory.Take(options, prefetch: request.Prefetch, whileScanning: whileScanning);
        return [own with
        {
            BlindSpots = own.BlindSpots.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable,
                $"cannot open /proc/{pid}/ns/net; showing this process's own namespace instead", opened.Error)),
        }];
    }

    private static List<HostSnapshot> TakeAll(InventoryOptions options, OwnerPrefetch? prefetch, Action<HostSnapshot>? whileScanning)
    {
        var scan = NetNsEnumerator.Enumerate();
        var snapshots = new List<HostSnapshot>();
        HostSnapshot? first = null;
        foreach (var info in scan.Namespaces)
        {
            if (info.OpenPath is not string path || NetNsHandle.Open(path) is not { IsOk: true } opened)
            {
                continue;
            }

            HostSnapshot snapshot;
            using (var handle = opened.Value)
            {
                snapshot = first is null
                    ? ParallelInventory.Take(options with { Namespace = handle }, prefetch: prefetch, whileScanning: whileScanning)
                    : ParallelInventory.Take(options with { Namespace = handle, ScanOwners = false });
            }

            if (first is null)
            {
                first = snapshot;
            }
            else
            {
                // The first namespace's owner scan covers every process: its owners and what it could not see apply here too.
                snapshot = snapshot with
                {
                    Owners = first.Owners,
                    Processes = first.Processes,
                    OwnerStats = first.OwnerStats,
                    BlindSpots = [.. snapshot.BlindSpots.Where(b => b.Kind is not (BlindSpotKind.OwnersUnavailable or BlindSpotKind.OwnersNotScanned))
                        .Concat(first.BlindSpots.Where(b => b.Kind is BlindSpotKind.OwnersUnavailable or BlindSpotKind.ProcPartlyUnreadable))],
                };
            }

            snapshots.Add(snapshot);
        }

        if (snapshots.Count == 0)
        {
            var own = ParallelInventory.Take(options, prefetch: prefetch, whileScanning: whileScanning);
            snapshots.Add(own with
            {
                BlindSpots = own.BlindSpots.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable,
                    "no other network namespace could be opened; showing this process's own")),
            });
        }
        else if (scan.ProcessesUnreadable > 0)
        {
            snapshots[0] = snapshots[0] with
            {
                BlindSpots = snapshots[0].BlindSpots.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable,
                    $"{scan.ProcessesUnreadable} processes' network namespaces could not be identified ({Named(scan.UnreadablePids ?? [], scan.ProcessesUnreadable)}: " +
                    "reading /proc/PID/ns/net was refused); namespaces only they use are missing")),
            };
        }

        return snapshots;
    }

    private static string Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "exited";
        }
    }

    /// <summary>"pid 1 (init), pid 7 (x) and 3 more" for a blind-spot line.</summary>
    private static string Named(IReadOnlyList<int> pids, int total)
    {
        var names = pids.Select(p => $"pid {p} ({Comm(p)})").ToList();
        string list = string.Join(", ", names);
        return total > names.Count ? $"{list} and {total - names.Count} more" : list;
    }
}
