using Teardown.Linux.Owners;

namespace Teardown.Linux.Inventory;

/// <summary>
/// An owner scan started ahead of the snapshot that will use it. A CLI starts one first thing, so
/// that the scan (the critical path of a snapshot) overlaps runtime and argument-parsing start-up
/// (≈ 25 ms); <see cref="ParallelInventory.Take"/> then consumes it instead of starting its own.
/// An unused prefetch only costs CPU. It is used at most once: a second snapshot scans afresh.
/// </summary>
public sealed class OwnerPrefetch
{
    private Task<(OwnerScan Scan, long EndedAt)>? _scan;

    private OwnerPrefetch(OwnerScanMethod method, long startedAt, Task<(OwnerScan Scan, long EndedAt)> scan)
    {
        Method = method;
        StartedAt = startedAt;
        _scan = scan;
    }

    /// <summary>The method the scan uses; a snapshot asking for another one ignores this prefetch.</summary>
    public OwnerScanMethod Method { get; }

    /// <summary>When the scan started (a <see cref="TimeProvider"/> timestamp), so its reported time is its own.</summary>
    internal long StartedAt { get; }

    /// <summary>Starts the scan on a dedicated thread.</summary>
    public static OwnerPrefetch Start(OwnerScanMethod method = OwnerScanMethod.Auto, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        return new OwnerPrefetch(method, time.GetTimestamp(), Run(method, time));
    }

    /// <summary>Runs a scan on its own thread; the result carries the scan's own end (not when it is awaited).</summary>
    internal static Task<(OwnerScan Scan, long EndedAt)> Run(OwnerScanMethod method, TimeProvider time) =>
        Task.Factory.StartNew(() => (OwnerScanner.Scan(method), time.GetTimestamp()), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Hands the scan over once, if it was started with <paramref name="method"/>.</summary>
    internal Task<(OwnerScan Scan, long EndedAt)>? TryTake(OwnerScanMethod method) =>
        method == Method ? Interlocked.Exchange(ref _scan, null) : null;
}
