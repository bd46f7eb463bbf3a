using System.Globalization;

namespace Teardown.Model.Kernel;

/// <summary>
/// The sysctls and build-time constants of one modelled kernel (one network namespace).
/// Defaults are Linux 6.18's, as read on the reference machine (spec §1.1–1.2).
/// </summary>
public sealed class KernelSettings
{
    /// <summary>CONFIG_HZ. Linux keeps most TCP timers in jiffies; the reference kernel runs HZ=250.</summary>
    public int Hz { get; set; } = 250;

    /// <summary>net.ipv4.tcp_fin_timeout in seconds (TCP_FIN_TIMEOUT, include/net/tcp.h).</summary>
    public int TcpFinTimeout { get; set; } = 60;

    /// <summary>net.ipv4.tcp_orphan_retries; 0 means 8 while the orphan is "alive" (tcp_timer.c:tcp_orphan_retries).</summary>
    public int TcpOrphanRetries { get; set; }

    /// <summary>net.ipv4.tcp_max_orphans (global in Linux: init_net only; per host here).</summary>
    public int TcpMaxOrphans { get; set; } = 131072;

    /// <summary>net.ipv4.tcp_max_tw_buckets (inet_timewait_sock.c:inet_twsk_alloc).</summary>
    public int TcpMaxTwBuckets { get; set; } = 131072;

    public int TcpRetries1 { get; set; } = 3;

    public int TcpRetries2 { get; set; } = 15;

    public int TcpSynRetries { get; set; } = 6;

    public int TcpSynackRetries { get; set; } = 5;

    public int TcpKeepaliveTime { get; set; } = 7200;

    public int TcpKeepaliveIntvl { get; set; } = 75;

    public int TcpKeepaliveProbes { get; set; } = 9;

    /// <summary>0: an exact RST kills a TIME_WAIT socket; 1: ignored (tcp_minisocks.c:tcp_timewait_state_process).</summary>
    public int TcpRfc1337 { get; set; }

    /// <summary>ms between out-of-window dup ACKs / challenge ACKs per socket (tcp_input.c:__tcp_oow_rate_limited).</summary>
    public int TcpInvalidRatelimit { get; set; } = 500;

    public int TcpChallengeAckLimit { get; set; } = int.MaxValue;

    public int TcpTwReuse { get; set; } = 2;

    public int LocalPortLow { get; set; } = 32768;

    public int LocalPortHigh { get; set; } = 60999;

    /// <summary>tcp_early_retrans 3 enables tail loss probes (tcp_output.c:tcp_schedule_loss_probe).</summary>
    public int TcpEarlyRetrans { get; set; } = 3;

    /// <summary>MTU of links between hosts (the lab's TUN devices use 1500).</summary>
    public int LinkMtu { get; set; } = 1500;

    /// <summary>Loopback MTU (a host's connection to itself).</summary>
    public int LoopbackMtu { get; set; } = 65536;

    /// <summary>
    /// Applies a sysctl written as in a scenario (<c>net.ipv4.tcp_fin_timeout</c> or <c>tcp_fin_timeout</c>).
    /// Returns false for a key the model does not know or a value it cannot read.
    /// </summary>
    public bool TryApply(string key, string value, out string? error)
    {
        error = null;
        string k = key[(key.LastIndexOf('.') + 1)..].ToLowerInvariant();
        if (k == "ip_local_port_range")
        {
            var parts = value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int lo) &&
                int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int hi) && lo > 0 && hi <= 65535 && lo <= hi)
            {
                LocalPortLow = lo;
                LocalPortHigh = hi;
                return true;
            }

            error = $"ip_local_port_range needs two ports 'LOW HIGH', got '{value}'";
            return false;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
        {
            error = $"{k} needs an integer, got '{value}'";
            return false;
        }

        switch (k)
        {
            case "tcp_fin_timeout": TcpFinTimeout = v; break;
            case "tcp_orphan_retries": TcpOrphanRetries = v; break;
            case "tcp_max_orphans": TcpMaxOrphans = v; break;
            case "tcp_max_tw_buckets": TcpMaxTwBuckets = v; break;
            case "tcp_retries1": TcpRetries1 = v; break;
            case "tcp_retries2": TcpRetries2 = v; break;
            case "tcp_syn_retries": TcpSynRetries = v; break;
            case "tcp_synack_retries": TcpSynackRetries = v; break;
            case "tcp_keepalive_time": TcpKeepaliveTime = v; break;
            case "tcp_keepalive_intvl": TcpKeepaliveIntvl = v; break;
            case "tcp_keepalive_probes": TcpKeepaliveProbes = v; break;
            case "tcp_rfc1337": TcpRfc1337 = v; break;
            case "tcp_invalid_ratelimit": TcpInvalidRatelimit = v; break;
            case "tcp_challenge_ack_limit": TcpChallengeAckLimit = v; break;
            case "tcp_tw_reuse": TcpTwReuse = v; break;
            case "tcp_early_retrans": TcpEarlyRetrans = v; break;
            default:
                error = $"the model does not know the sysctl '{key}'";
                return false;
        }

        return true;
    }

    public KernelSettings Clone() => (KernelSettings)MemberwiseClone();
}
