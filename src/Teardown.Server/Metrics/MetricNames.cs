namespace Teardown.Server.Metrics;

/// <summary>
/// Every metric family the server publishes (docs/metrics.md documents each; a test keeps the two
/// equal, and the Grafana dashboard and alert rules are checked against the document).
/// </summary>
public static class MetricNames
{
    /// <summary>Families, in exposition order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        SocketsByState, Sockets, SocketAge, SocketOldestAge,
        OwnerOpenFds, OwnerFdLimit, OwnerStuckSockets,
        PortRangeSize, PortsInUse, PortsHeld, PortsTimeWait,
        Aborts, TimeWaitOverflow, Orphans, MaxOrphans, MaxTwBuckets, FinTimeout,
        Findings, FindingSockets,
        Actions, HeldAfterAction,
        BuildInfo, Snapshots, SnapshotOk, SnapshotLastSuccess, SnapshotDuration, SnapshotStage, SnapshotCpu, SnapshotSockets, SnapshotFds, SnapshotNamespaces, SnapshotInfo, BlindSpots,
    ];

#pragma warning disable CS1591 // the names say what they are; docs/metrics.md says what they mean
    public const string SocketsByState = "teardown_sockets_by_state";
    public const string Sockets = "teardown_sockets";
    public const string SocketAge = "teardown_socket_age_seconds";
    public const string SocketOldestAge = "teardown_socket_oldest_age_seconds";
    public const string OwnerOpenFds = "teardown_owner_open_fds";
    public const string OwnerFdLimit = "teardown_owner_fd_limit";
    public const string OwnerStuckSockets = "teardown_owner_stuck_sockets";
    public const string PortRangeSize = "teardown_ephemeral_port_range_size";
    public const string PortsInUse = "teardown_ephemeral_ports_in_use";
    public const string PortsHeld = "teardown_ephemeral_ports_held";
    public const string PortsTimeWait = "teardown_ephemeral_ports_time_wait";
    public const string Aborts = "teardown_tcp_aborts_total";
    public const string TimeWaitOverflow = "teardown_tcp_timewait_overflow_total";
    public const string Orphans = "teardown_tcp_orphans";
    public const string MaxOrphans = "teardown_tcp_max_orphans";
    public const string MaxTwBuckets = "teardown_tcp_max_tw_buckets";
    public const string FinTimeout = "teardown_tcp_fin_timeout_seconds";
    public const string Findings = "teardown_findings";
    public const string FindingSockets = "teardown_finding_sockets";
    public const string Actions = "teardown_actions_total";
    public const string HeldAfterAction = "teardown_held_after_action_fds";
    public const string BuildInfo = "teardown_build_info";
    public const string Snapshots = "teardown_snapshots_total";
    public const string SnapshotOk = "teardown_snapshot_ok";
    public const string SnapshotLastSuccess = "teardown_snapshot_last_success_timestamp_seconds";
    public const string SnapshotDuration = "teardown_snapshot_duration_seconds";
    public const string SnapshotStage = "teardown_snapshot_stage_seconds";
    public const string SnapshotCpu = "teardown_snapshot_cpu_seconds";
    public const string SnapshotSockets = "teardown_snapshot_sockets";
    public const string SnapshotFds = "teardown_snapshot_fds_scanned";
    public const string SnapshotNamespaces = "teardown_snapshot_namespaces";
    public const string SnapshotInfo = "teardown_snapshot_info";
    public const string BlindSpots = "teardown_blind_spots";
#pragma warning restore CS1591
}
