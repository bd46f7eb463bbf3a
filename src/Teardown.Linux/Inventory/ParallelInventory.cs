using System.Diagnostics;
using Teardown.Linux.Owners;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>
/// <see cref="InventoryReader.Take"/> with the host-wide /proc/*/fd owner scan running on a
/// second thread while the namespace's sockets are dumped. The two are independent (procfs is not
/// per netns) and cost about the same at scale (each ~0.25 s at 160k sockets / 80k descriptors),
/// so on two cores this halves the wall time of a snapshot.
/// </summary>
/// <remarks>
/// The sequential reader dumps sockets before scanning owners so that a socket created mid-scan is
/// absent rather than ownerless. In parallel, a socket opened during the dump can appear without an
/// owner; it can never get a wrong owner, because socket inode numbers are not reused while in use
/// (fs/inode.c:get_next_ino). The doctor only uses owners for attribution: classes come from the
/// kernel's inode field, so an ownerless socket is never misclassified as an orphan.
/// </remarks>
public static class ParallelInventory
{
    /// <summary>
    /// Takes a snapshot; never throws for anything the host does. <paramref name="whileScanning"/>
    /// runs on the calling thread with the owner-less snapshot while the owner scan continues.
    /// </summary>
    /// <param name="options">What to read.</param>
    /// <param name="time">The clock (tests pass a fake one).</param>
    /// <param name="prefetch">An owner scan already running (see <see cref="OwnerPrefetch"/>); used if it scans the way <paramref name="options"/> asks.</param>
    /// <param name="whileScanning">Work on the owner-less snapshot (e.g. classifying sockets) that overlaps the owner scan.</param>
    public static HostSnapshot Take(InventoryOptions options, TimeProvider? time = null, OwnerPrefetch? prefetch = null, Action<HostSnapshot>? whileScanning = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        if (!options.ScanOwners)
        {
            var alone = InventoryReader.Take(options, time);
            whileScanning?.Invoke(alone);
            return alone;
        }

        long start = time.GetTimestamp();
        var scan = prefetch?.TryTake(options.OwnerMethod);
        if (scan is null)
        {
            scan = OwnerPrefetch.Run(options.OwnerMethod, time);
        }
        else
        {
            start = prefetch!.StartedAt;
        }

        var snapshot = InventoryReader.Take(options with { ScanOwners = false }, time);
        whileScanning?.Invoke(snapshot);
        var blind = snapshot.BlindSpots.Where(b => b.Kind != BlindSpotKind.OwnersNotScanned).ToList();
        OwnerScan owners;
        long ownersEnded;
        try
        {
            (owners, ownersEnded) = scan.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // like InventoryReader: a failed stage becomes a blind spot
        catch (Exception e)
#pragma warning restore CA1031
        {
            blind.Add(new BlindSpot(BlindSpotKind.Unexpected, $"scanning /proc/*/fd: {e.GetType().Name}: {e.Message}"));
            return snapshot with { BlindSpots = [.. blind] };
        }

        if (owners.ProcError is { } procError)
        {
            blind.Add(new BlindSpot(BlindSpotKind.OwnersUnavailable, "/proc could not be opened; no socket has an owner", procError));
        }
        else if (owners.ProcessesUnreadable > 0)
        {
            blind.Add(new BlindSpot(BlindSpotKind.ProcPartlyUnreadable,
                $"{owners.ProcessesUnreadable} of {owners.ProcessesScanned + owners.ProcessesUnreadable} processes' fd directories were unreadable; their sockets show no owner"));
        }

        return snapshot with
        {
            Owners = owners.Owners,
            Processes = owners.Processes,
            BlindSpots = [.. blind],
            OwnerStats = new OwnerScanStats(time.GetElapsedTime(start, ownersEnded), owners.ProcessesScanned, owners.FdsScanned,
                owners.ProcessesVanished, owners.FdsVanished, owners.ProcessesUnreadable, owners.Method),
        };
    }
}
