using System.Globalization;
using Prometheus;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Export;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;
using Teardown.Linux.Ledger;
using Teardown.Server.Snapshots;

namespace Teardown.Server.Metrics;

/// <summary>
/// Renders a snapshot as metrics with prometheus-net. A fresh registry per snapshot: series of
/// sockets, owners or destinations that are gone disappear at once rather than keeping their last
/// value, and nothing is computed at scrape time (every scraper gets the same bytes).
/// </summary>
public static class MetricsRenderer
{
    /// <summary>Bucket bounds of the age histograms: a second to a day, around the timeouts that matter (tcp_fin_timeout 60 s, keepalive 2 h).</summary>
    internal static readonly double[] AgeBuckets = [.. ExportView.AgeBucketSeconds];

    private static readonly string[] AbortReasons = ["data", "close", "memory", "timeout", "linger", "failed"];

    static MetricsRenderer() => Prometheus.Metrics.SuppressDefaultMetrics(); // no process-wide default registry: ours are per snapshot

    /// <summary>Renders the metrics of <paramref name="snapshot"/> (null before the first success) with the loop's <paramref name="status"/>.</summary>
    public static MetricsExposition Render(ServedSnapshot? snapshot, SnapshotStatus status, string version)
    {
        ArgumentNullException.ThrowIfNull(status);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        if (snapshot is not null)
        {
            Sockets(f, snapshot.View);
            Owners(f, snapshot.View);
            Ports(f, snapshot.View);
            Kernel(f, snapshot);
            Findings(f, snapshot.View);
            Actions(f, snapshot);
        }

        Server(f, snapshot, status, version);
        DotNetStats.Register(registry); // process_working_set_bytes, process_cpu_seconds_total, dotnet_collection_count_total…, as of this snapshot
        return new MetricsExposition(Export(registry, ExpositionFormat.PrometheusText), Export(registry, ExpositionFormat.OpenMetricsText));
    }

    private static byte[] Export(CollectorRegistry registry, ExpositionFormat format)
    {
        using var buffer = new MemoryStream();
        // Collection of gauges that were set is synchronous; the async API completes at once.
        registry.CollectAndExportAsTextAsync(buffer, format, CancellationToken.None).GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    /// <summary>node_exporter's spelling of a state (<c>close_wait</c>), so that both exporters' series line up.</summary>
    internal static string StateLabel(TcpState state) => state.ToLinuxName().ToLowerInvariant();

    private static void Sockets(IMetricFactory f, ExportView view)
    {
        var byState = f.CreateGauge(MetricNames.SocketsByState, "TCP sockets per kernel state (listeners and TIME_WAIT included).", ["state"]);
        for (int s = 1; s <= (int)TcpState.NewSynRecv; s++)
        {
            byState.WithLabels(StateLabel((TcpState)s)).Set(view.States[s]);
        }

        var sockets = f.CreateGauge(MetricNames.Sockets, "Non-listening TCP sockets per doctor class, side, service and owning command (services and commands beyond --top summed as 'other').",
            ["state", "class", "side", "service", "command"]);
        foreach (var g in view.Groups)
        {
            sockets.WithLabels(StateLabel(g.State), g.Class.Id(), g.Side.Id(), g.Service, g.Command).Set(g.Count);
        }

        var age = f.CreateHistogram(MetricNames.SocketAge, "Seconds since each CLOSE_WAIT / FIN_WAIT2 socket last received a segment (tcp_info), at the last snapshot: a distribution of the present, not a running total.",
            ["state"], new HistogramConfiguration { Buckets = AgeBuckets });
        var closeWait = age.WithLabels("close_wait");
        foreach (double a in view.CloseWaitAges) closeWait.Observe(a);
        var finWait2 = age.WithLabels("fin_wait2");
        foreach (double a in view.FinWait2Ages) finWait2.Observe(a);

        var oldest = f.CreateGauge(MetricNames.SocketOldestAge, "Age of the oldest socket per stuck state and class (seconds since it last received a segment).", ["state", "class"]);
        foreach (var ((state, c), seconds) in view.Oldest.OrderBy(o => o.Key.State).ThenBy(o => o.Key.Class))
        {
            oldest.WithLabels(StateLabel(state), c.Id()).Set(seconds);
        }
    }

    private static void Owners(IMetricFactory f, ExportView view)
    {
        string[] labels = ["pid", "command", "container", "pod"];
        var fds = f.CreateGauge(MetricNames.OwnerOpenFds, "Descriptors a socket-holding process has open (/proc/PID/fd).", labels);
        var limit = f.CreateGauge(MetricNames.OwnerFdLimit, "Soft RLIMIT_NOFILE of the process (absent when unlimited or unreadable).", labels);
        var stuck = f.CreateGauge(MetricNames.OwnerStuckSockets, "Sockets of the doctor's findings the process holds.", labels);
        foreach (var o in view.Owners)
        {
            string[] values = [o.Pid.ToString(CultureInfo.InvariantCulture), o.Command, o.Identity.Container, o.Identity.Pod];
            fds.WithLabels(values).Set(o.OpenFds);
            stuck.WithLabels(values).Set(o.StuckSockets);
            if (o.FdLimit is long l) limit.WithLabels(values).Set(l);
        }
    }

    private static void Ports(IMetricFactory f, ExportView view)
    {
        f.CreateGauge(MetricNames.PortRangeSize, "Size of net.ipv4.ip_local_port_range.").Set(view.PortRangeSize);
        var inUse = f.CreateGauge(MetricNames.PortsInUse, "Local ephemeral ports bound toward a destination (any state).", ["destination"]);
        var held = f.CreateGauge(MetricNames.PortsHeld, "Ephemeral ports toward a destination held by sockets the kernel does not free by itself (ESTABLISHED, CLOSE_WAIT, half-closed).", ["destination"]);
        var timeWait = f.CreateGauge(MetricNames.PortsTimeWait, "Ephemeral ports toward a destination in TIME_WAIT.", ["destination"]);
        foreach (var d in view.Destinations)
        {
            inUse.WithLabels(d.Destination).Set(d.InUse);
            held.WithLabels(d.Destination).Set(d.Held);
            timeWait.WithLabels(d.Destination).Set(d.TimeWait);
        }
    }

    private static void Kernel(IMetricFactory f, ServedSnapshot snapshot)
    {
        var aborts = f.CreateCounter(MetricNames.Aborts, "Connections the kernel reset, by reason (TcpExt TCPAbortOn*, TCPAbortFailed).", ["netns", "reason"]);
        var overflow = f.CreateCounter(MetricNames.TimeWaitOverflow, "TIME_WAIT sockets not created because tcp_max_tw_buckets was reached (TcpExt TCPTimeWaitOverflow).", ["netns"]);
        var orphans = f.CreateGauge(MetricNames.Orphans, "Orphaned TCP sockets (no descriptor), from /proc/net/sockstat.", ["netns"]);
        var maxOrphans = f.CreateGauge(MetricNames.MaxOrphans, "net.ipv4.tcp_max_orphans.", ["netns"]);
        var maxTw = f.CreateGauge(MetricNames.MaxTwBuckets, "net.ipv4.tcp_max_tw_buckets.", ["netns"]);
        var finTimeout = f.CreateGauge(MetricNames.FinTimeout, "net.ipv4.tcp_fin_timeout.", ["netns"]);
        foreach (var ns in snapshot.Counters)
        {
            string netns = ns.NetNsInode.ToString(CultureInfo.InvariantCulture);
            var mib = ns.Counters.Mib;
            foreach (string reason in AbortReasons)
            {
                if (mib.TryGetValue(AbortCounter(reason), out long n)) aborts.WithLabels(netns, reason).IncTo(n);
            }

            if (mib.TryGetValue("TcpExt.TCPTimeWaitOverflow", out long tw)) overflow.WithLabels(netns).IncTo(tw);
            if (ns.Counters.Sockstat.TryGetValue("TCP.orphan", out long o)) orphans.WithLabels(netns).Set(o);
            if (ns.Settings.TcpMaxOrphans is int mo) maxOrphans.WithLabels(netns).Set(mo);
            if (ns.Settings.TcpMaxTwBuckets is int mt) maxTw.WithLabels(netns).Set(mt);
            if (ns.Settings.TcpFinTimeout is int ft) finTimeout.WithLabels(netns).Set(ft);
        }
    }

    /// <summary>The MIB counter behind an abort reason (counted in net/ipv4/tcp.c and tcp_timer.c).</summary>
    private static string AbortCounter(string reason) => reason switch
    {
        "data" => "TcpExt.TCPAbortOnData",
        "close" => "TcpExt.TCPAbortOnClose",
        "memory" => "TcpExt.TCPAbortOnMemory",
        "timeout" => "TcpExt.TCPAbortOnTimeout",
        "linger" => "TcpExt.TCPAbortOnLinger",
        _ => "TcpExt.TCPAbortFailed",
    };

    private static void Findings(IMetricFactory f, ExportView view)
    {
        var findings = f.CreateGauge(MetricNames.Findings, "The doctor's findings (sockets stuck for one reason in one process against one service), by severity and class.", ["severity", "class"]);
        var sockets = f.CreateGauge(MetricNames.FindingSockets, "Sockets in the doctor's findings, by severity and class.", ["severity", "class"]);
        foreach (var t in view.Findings)
        {
            findings.WithLabels(t.Severity.Id(), t.Class.Id()).Set(t.Findings);
            sockets.WithLabels(t.Severity.Id(), t.Class.Id()).Set(t.Sockets);
        }
    }

    /// <summary>Processes with their own series of descriptors held after release or kill; the rest are summed as pid "other".</summary>
    internal const int HeldProcesses = 20;

    private static void Actions(IMetricFactory f, ServedSnapshot snapshot)
    {
        if (snapshot.Actions is { } totals)
        {
            var actions = f.CreateCounter(MetricNames.Actions,
                "Sockets teardown release and teardown kill acted on, by action and outcome (the action ledger, since boot; a replaced ledger is added, never subtracted).",
                ["action", "outcome"]);
            foreach (var (action, outcome) in LedgerTotals.Pairs)
            {
                actions.WithLabels(action.Id(), outcome.ToString().ToLowerInvariant()).IncTo(totals.Count(action, outcome));
            }
        }

        var held = f.CreateGauge(MetricNames.HeldAfterAction,
            "Descriptors a process still holds on connections teardown released or killed: closed, but counted against its RLIMIT_NOFILE until the application closes them.",
            ["pid", "command"]);
        var byProcess = snapshot.Reports.SelectMany(r => r.HeldAfterAction).OrderByDescending(h => h.Count).ThenBy(h => h.Owner.Pid).ToList();
        foreach (var h in byProcess.Take(HeldProcesses))
        {
            held.WithLabels(h.Owner.Pid.ToString(CultureInfo.InvariantCulture), h.Owner.Comm ?? "unknown").Inc(h.Count);
        }

        if (byProcess.Count > HeldProcesses)
        {
            held.WithLabels("other", "other").Set(byProcess.Skip(HeldProcesses).Sum(h => h.Count));
        }
    }

    private static void Server(IMetricFactory f, ServedSnapshot? snapshot, SnapshotStatus status, string version)
    {
        f.CreateGauge(MetricNames.BuildInfo, "Always 1; the version of teardown.", ["version"]).WithLabels(version).Set(1);
        var attempts = f.CreateCounter(MetricNames.Snapshots, "Snapshots attempted, by result.", ["result"]);
        attempts.WithLabels("ok").IncTo(status.Attempts - status.Failures);
        attempts.WithLabels("failed").IncTo(status.Failures);
        f.CreateGauge(MetricNames.SnapshotOk, "1 when the last snapshot succeeded; 0 while an older one is being served.").Set(status.LastOk ? 1 : 0);
        if (snapshot is null) return;

        f.CreateGauge(MetricNames.SnapshotLastSuccess, "Unix time of the snapshot being served.").Set(snapshot.TakenAt.ToUnixTimeMilliseconds() / 1000.0);
        f.CreateGauge(MetricNames.SnapshotDuration, "Wall time of the snapshot being served (read + analysis).").Set(snapshot.Duration.TotalSeconds);
        var stage = f.CreateGauge(MetricNames.SnapshotStage, "Wall time of each stage of the snapshot being served (sockets and owners run side by side).", ["stage"]);
        stage.WithLabels("sockets").Set(snapshot.Stages.Sockets.TotalSeconds);
        stage.WithLabels("owners").Set(snapshot.Stages.Owners.TotalSeconds);
        stage.WithLabels("analysis").Set(snapshot.Stages.Analysis.TotalSeconds);
        f.CreateGauge(MetricNames.SnapshotCpu, "CPU time (user + system) the server used while taking the snapshot being served.").Set(snapshot.Cpu.TotalSeconds);
        f.CreateGauge(MetricNames.SnapshotSockets, "Sockets read by the snapshot.").Set(snapshot.Sockets);
        f.CreateGauge(MetricNames.SnapshotFds, "Descriptors examined by the owner scan.").Set(snapshot.FdsScanned);
        f.CreateGauge(MetricNames.SnapshotNamespaces, "Network namespaces read.").Set(snapshot.Reports.Length);
        f.CreateGauge(MetricNames.SnapshotInfo, "Always 1; how the snapshot was read.", ["socket_source", "owner_method"]).WithLabels(snapshot.SocketSource, snapshot.OwnerMethod).Set(1);
        var blind = f.CreateGauge(MetricNames.BlindSpots, "What the snapshot could not see, by kind (as in doctor --json).", ["kind"]);
        foreach (var g in snapshot.Reports.SelectMany(r => r.BlindSpots).GroupBy(b => b.Kind.Id()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            blind.WithLabels(g.Key).Set(g.Count());
        }
    }
}
