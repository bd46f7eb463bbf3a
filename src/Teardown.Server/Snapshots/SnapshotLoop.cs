using System.Collections.Immutable;
using System.Diagnostics;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Export;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;
using Teardown.Server.Api;
using Teardown.Server.Metrics;

namespace Teardown.Server.Snapshots;

/// <summary>What the loop serves at one moment: the last good snapshot, the loop's status and the metrics of both.</summary>
/// <param name="Snapshot">The last good snapshot, or null before the first.</param>
/// <param name="Status">How the loop is doing.</param>
/// <param name="Metrics">The rendered metrics.</param>
public sealed record ServedState(ServedSnapshot? Snapshot, SnapshotStatus Status, MetricsExposition Metrics);

/// <summary>
/// Takes one snapshot every interval, analyses it and publishes the result atomically
/// (<see cref="Current"/>). Scrapes and page loads only read what was published: the host is read
/// once per interval whatever the number of clients. A failed snapshot keeps the last good one
/// served and says so in the status (<c>/readyz</c>, <c>teardown_snapshot_ok</c>).
/// </summary>
public sealed class SnapshotLoop
{
    private readonly ISnapshotSource _source;
    private readonly TimeSpan _interval;
    private readonly int _top;
    private readonly string _version;
    private readonly TimeProvider _time;
    private ServedState _current;

    /// <summary>Creates the loop; nothing is read before <see cref="RunAsync"/> or <see cref="TakeOnce"/>.</summary>
    public SnapshotLoop(ISnapshotSource source, TimeSpan interval, int top, string version, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _interval = interval;
        _top = top;
        _version = version;
        _time = time ?? TimeProvider.System;
        _current = new ServedState(null, SnapshotStatus.Starting, MetricsRenderer.Render(null, SnapshotStatus.Starting, version));
    }

    /// <summary>The interval between snapshots.</summary>
    public TimeSpan Interval => _interval;

    /// <summary>The version served in metrics and the status.</summary>
    public string Version => _version;

    /// <summary>What is being served now (replaced atomically after each attempt).</summary>
    public ServedState Current => Volatile.Read(ref _current);

    /// <summary>Counts of every snapshot taken, for the page's charts.</summary>
    public SnapshotHistory History { get; } = new();

    /// <summary>Raised after each attempt (tests wait on it).</summary>
    public event Action<ServedState>? Published;

    /// <summary>Takes a snapshot at once, then one per interval (measured start to start), until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            // The host read is blocking I/O (netlink, /proc): keep it off the request threads.
            await Task.Run(() =>
            {
                TakeOnce();
                ReturnMemory(Current.Snapshot);
            }, cancellationToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Sockets above which a snapshot's garbage is worth giving back to the system at once.</summary>
    internal const int LargeSnapshot = 20_000;

    /// <summary>
    /// After a large snapshot, a compacting collection that returns the freed memory to the system.
    /// A snapshot of 150,000 sockets allocates some 100 MB that is garbage once published; the GC
    /// would otherwise keep that much committed between snapshots and let the heap wander to
    /// 300 MB (measured: bench/serve-soak.sh). Done between snapshots, when only scrapes (which
    /// copy prepared bytes) run, it costs tens of milliseconds per interval and keeps the resident
    /// size near the live set.
    /// </summary>
    private static void ReturnMemory(ServedSnapshot? snapshot)
    {
        if (snapshot is null || snapshot.Sockets < LargeSnapshot) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>One attempt: read, analyse, render, publish.</summary>
    public void TakeOnce()
    {
        var previous = Current;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        long started = Stopwatch.GetTimestamp();
        SnapshotStatus status;
        ServedSnapshot? snapshot = previous.Snapshot;
        try
        {
            var snapshots = _source.Take();
            snapshot = Analyse(snapshots, Stopwatch.GetElapsedTime(started), cpuBefore);
            History.Add(new HistoryPoint(snapshot.TakenAt, snapshot.View.States, ImmutableDictionary.CreateRange(snapshot.Reports.SelectMany(r => r.ClassCounts)
                .GroupBy(c => c.Key).Select(g => KeyValuePair.Create(g.Key, g.Sum(c => c.Value))))));
            status = new SnapshotStatus(previous.Status.Attempts + 1, previous.Status.Failures, true, null, snapshot.TakenAt);
        }
#pragma warning disable CA1031 // any failure of one snapshot is reported and the last good one stays served; the loop must go on
        catch (Exception e)
#pragma warning restore CA1031
        {
            status = new SnapshotStatus(previous.Status.Attempts + 1, previous.Status.Failures + 1, false, $"{e.GetType().Name}: {e.Message}", previous.Status.LastSuccess);
        }

        var state = new ServedState(snapshot, status, MetricsRenderer.Render(snapshot, status, _version));
        Volatile.Write(ref _current, state);
        Published?.Invoke(state);
    }

    /// <summary>A fixed label value for how owners were found (the scan's own description is prose).</summary>
    internal static string OwnerMethodLabel(string? method) => method switch
    {
        null => "none",
        _ when method.StartsWith("/proc", StringComparison.Ordinal) => "proc",
        _ => "bpf",
    };

    private ServedSnapshot Analyse(IReadOnlyList<HostSnapshot> snapshots, TimeSpan readTime, TimeSpan cpuBefore)
    {
        long started = Stopwatch.GetTimestamp();
        var analysed = new List<AnalysedNamespace>(snapshots.Count);
        foreach (var s in snapshots)
        {
            var input = DoctorInput.From(s);
            var index = SocketIndex.Build(input.Sockets, input.Settings);
            var owners = SocketOwners.Of(input);
            analysed.Add(new AnalysedNamespace(input, index, DoctorAnalysis.Analyze(input, DoctorFilter.None, index, owners), owners));
        }

        var reports = analysed.Select(a => a.Report).ToImmutableArray();
        var view = ExportViewBuilder.Build(analysed, _top, excludePid: Environment.ProcessId);
        var analysis = Stopwatch.GetElapsedTime(started);
        var duration = readTime + analysis;
        var first = snapshots[0];
        return new ServedSnapshot
        {
            TakenAt = first.TakenAt,
            Reports = reports,
            View = view,
            Duration = duration,
            Stages = new SnapshotStages(
                TimeSpan.FromTicks(snapshots.Sum(s => s.SocketStats.Elapsed.Ticks)),
                TimeSpan.FromTicks(snapshots.Sum(s => s.OwnerStats.Elapsed.Ticks)),
                analysis),
            Cpu = Environment.CpuUsage.TotalTime - cpuBefore,
            Counters = [.. snapshots.Select(s => new NamespaceCounters(s.NetNsInode, s.Counters, s.Settings))],
            Sockets = snapshots.Sum(s => s.Sockets.Length),
            FdsScanned = first.OwnerStats.FdsScanned,
            SocketSource = first.SocketSource.Id(),
            OwnerMethod = OwnerMethodLabel(first.OwnerStats.Method),
            ReportJson = ApiJson.Report(reports, duration),
            OwnersJson = ApiJson.Owners(view),
            Actions = first.ActionTotals,
        };
    }
}
