namespace Teardown.Linux.Settings;

/// <summary>
/// The per-network-namespace TCP sysctls that decide teardown behaviour. Null means unreadable.
/// Defaults in comments are Linux's (net/ipv4/tcp_ipv4.c:tcp_sk_init, include/net/tcp.h).
/// </summary>
public sealed record NetSettings
{
    /// <summary>net.ipv4.tcp_fin_timeout, seconds (default 60): orphaned FIN_WAIT2 lifetime, never CLOSE_WAIT.</summary>
    public int? TcpFinTimeout { get; init; }
    /// <summary>
    /// net.ipv4.tcp_max_orphans (scaled with memory at boot). Global, not per namespace: it lives in
    /// net/ipv4/sysctl_net_ipv4.c:ipv4_table, which only the initial namespace shows, so it reads as
    /// null inside a child namespace (measured on 6.18).
    /// </summary>
    public int? TcpMaxOrphans { get; init; }
    /// <summary>net.ipv4.tcp_max_tw_buckets: timewait sockets (including orphaned FIN_WAIT2) allowed before new ones are dropped.</summary>
    public int? TcpMaxTwBuckets { get; init; }
    /// <summary>net.ipv4.ip_local_port_range low end (default 32768).</summary>
    public int? LocalPortLow { get; init; }
    /// <summary>net.ipv4.ip_local_port_range high end (default 60999).</summary>
    public int? LocalPortHigh { get; init; }
    /// <summary>net.ipv4.tcp_keepalive_time, seconds (default 7200).</summary>
    public int? TcpKeepaliveTime { get; init; }
    /// <summary>net.ipv4.tcp_keepalive_intvl, seconds (default 75).</summary>
    public int? TcpKeepaliveIntvl { get; init; }
    /// <summary>net.ipv4.tcp_keepalive_probes (default 9).</summary>
    public int? TcpKeepaliveProbes { get; init; }
    /// <summary>net.ipv4.tcp_orphan_retries (0 means 8 in net/ipv4/tcp_timer.c:tcp_orphan_retries).</summary>
    public int? TcpOrphanRetries { get; init; }
    /// <summary>net.ipv4.tcp_retries2 (default 15).</summary>
    public int? TcpRetries2 { get; init; }

    /// <summary>Sysctl names that could not be read.</summary>
    public IReadOnlyList<string> Unreadable { get; init; } = [];
}
