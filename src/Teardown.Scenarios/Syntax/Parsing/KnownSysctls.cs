namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// The per-namespace sysctls a scenario may set (scenario-format.md, header): all live under
/// <c>net.ipv4.</c> and take integers, except <c>ip_local_port_range</c>, which takes two.
/// </summary>
internal static class KnownSysctls
{
    public const string Prefix = "net.ipv4.";

    public const string PortRange = "ip_local_port_range";

    public static IReadOnlyList<string> ShortNames { get; } =
    [
        "tcp_fin_timeout",
        "tcp_orphan_retries",
        "tcp_retries1",
        "tcp_retries2",
        "tcp_keepalive_time",
        "tcp_keepalive_intvl",
        "tcp_keepalive_probes",
        "tcp_rfc1337",
        "tcp_max_tw_buckets",
        "tcp_invalid_ratelimit",
        "tcp_max_orphans",
        "tcp_tw_reuse",
        "tcp_syn_retries",
        "tcp_synack_retries",
        "tcp_challenge_ack_limit",
        PortRange,
    ];

    /// <summary>The short name of a key written <c>net.ipv4.X</c> or <c>X</c> (case-insensitive), or null if unknown.</summary>
    public static string? Resolve(string key)
    {
        string shortKey = key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? key[Prefix.Length..] : key;
        return ShortNames.FirstOrDefault(n => string.Equals(n, shortKey, StringComparison.OrdinalIgnoreCase));
    }
}
