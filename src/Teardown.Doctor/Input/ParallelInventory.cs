using System.Diagnostics;
using Teardown.Linux.Inventory;
using Teardown.Linux.Proc;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Input;

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
    /// <summary>The doctor needs tcp_info (ages, RTO) but not sk_meminfo; asking less makes the dump cheaper.</summary>
    public const DiagExtensions DoctorExtensions = DiagExtensions.TcpInfo;

    private static Task<(OwnerScan Scan, long EndedAt)>? s_prefetched;
    private static long s_prefetchedAt;
    private static OwnerScanMethod s_prefetchedMethod;

    /// <summary>
    /// Starts the owner scan now, for the next <see cref="Take"/> of this process to use: a CLI
    /// calls it first thing, so the scan (the critical path) overlaps runtime and argument-parsing
    /// start-up (≈ 25 ms). An unused prefetch only costs CPU. Same guarantees as a scan started by
    /// <see cref="Take"/>: owners are only used for attribution.
    /// </summary>
    public static void PrefetchOwners(OwnerScanMethod method = OwnerScanMethod.Auto, TimeProvider? time = null)
    {
        s_prefetchedAt = (time ?? TimeProvider.System).GetTimestamp();
        s_prefetchedMethod = method;
        Volatile.Write(ref s_prefetched, StartScan(method, time ?? TimeProvider.System));
    }

    // The scan's own end (not when it is awaited), so that its reported time is its own.
    private static Task<(OwnerScan Scan, long EndedAt)> StartScan(OwnerScanMethod method, TimeProvider time) =>
        Task.Factory.StartNew(() => (OwnerScanner.Scan(method), time.GetTimestamp()), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Takes a snapshot; never throws for anything the host does. <paramref name="whileScanning"/>
    /// runs on the calling thread with the owner-less snapshot while the owner scan continues.
    /// </summary>
    public static HostSnapshot Take(InventoryOptions options, TimeProvider? time = null, Action<HostSnapshot>? whileScanning = null)
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
        var scan = Interlocked.Exchange(ref s_prefetched, null);
        if (scan is not null && s_prefetchedMethod != options.OwnerMethod)
        {
            scan = null; // prefetched another way than asked: scan again as asked
        }

        if (scan is null)
        {
            scan = StartScan(options.OwnerMethod, time);
        }
        else
        {
            start = s_prefetchedAt;
        }

        var snapshot = InventoryReader.Take(options with { ScanOwners = false }, time);
        whileScanning?.Invoke(snapshot);
        var blind = snapshot.BlindSpots.Where(b => !(b.Kind == BlindSpotKind.OwnersUnavailable && b.Detail.Contains("disabled by option", StringComparison.Ordinal))).ToList();
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
