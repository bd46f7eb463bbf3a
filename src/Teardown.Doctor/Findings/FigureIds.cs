namespace Teardown.Doctor.Findings;

/// <summary>
/// The stable ids of the figures a finding can carry: snake_case with the unit as suffix, so that a
/// script keys on <c>oldest_quiet_s</c> while the human label is free to change. Each one is listed,
/// with its meaning, in docs/schema/doctor-report.schema.json; a test keeps the two equal.
/// </summary>
public static class FigureIds
{
    /// <summary>Sockets in the finding.</summary>
    public const string Sockets = "sockets";
    /// <summary>Recv-Q bytes summed over the finding (an unread FIN counts 1).</summary>
    public const string UnreadBytes = "unread_bytes";
    /// <summary>Seconds since the last segment received, oldest socket (≈ its age in CLOSE_WAIT).</summary>
    public const string OldestQuietS = "oldest_quiet_s";
    /// <summary>Seconds since the last segment received, newest socket.</summary>
    public const string NewestQuietS = "newest_quiet_s";
    /// <summary>Sockets per minute over the oldest age.</summary>
    public const string AccumulationPerMin = "accumulation_per_min";
    /// <summary>Descriptors the owner has open.</summary>
    public const string OwnerFds = "owner_fds";
    /// <summary>The owner's soft RLIMIT_NOFILE.</summary>
    public const string OwnerFdLimit = "owner_fd_limit";
    /// <summary>Minutes until the owner runs out of descriptors at the current rate.</summary>
    public const string FdExhaustionMin = "fd_exhaustion_min";
    /// <summary>Percent of net.ipv4.tcp_max_tw_buckets in use by timewait sockets.</summary>
    public const string TwBucketsPct = "tw_buckets_pct";
    /// <summary>Percent of the ephemeral port range held in TIME_WAIT toward the destination.</summary>
    public const string TimeWaitPortsPct = "time_wait_ports_pct";
    /// <summary>Ephemeral ports left toward the destination.</summary>
    public const string PortsLeft = "ports_left";
    /// <summary>Sockets whose other end is on this host.</summary>
    public const string PairedOnHost = "paired_on_host";
    /// <summary>Model lifetime of an orphaned FIN_WAIT2, in seconds.</summary>
    public const string OrphanLifetimeS = "orphan_lifetime_s";
    /// <summary>Longest time left on the kernel timer, in seconds.</summary>
    public const string TimerLeftMaxS = "timer_left_max_s";
    /// <summary>Seconds of the timewait stage that follows the keepalive timer.</summary>
    public const string TimewaitStageS = "timewait_stage_s";
    /// <summary>Seconds the oldest socket has been orphaned.</summary>
    public const string OldestOrphanedS = "oldest_orphaned_s";
    /// <summary>Most retransmissions (or probes) seen on one socket.</summary>
    public const string RetransmissionsMax = "retransmissions_max";
    /// <summary>Seconds from the first retransmission until the kernel gives up.</summary>
    public const string GiveUpAfterS = "give_up_after_s";
}
