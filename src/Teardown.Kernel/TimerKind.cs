namespace Teardown.Kernel;

/// <summary>
/// The timer of a connection end as sock_diag reports it (<c>idiag_timer</c>, inet_diag.c:inet_sk_diag_fill
/// and inet_twsk_diag_fill; ss names them on/keepalive/timewait/persist).
/// </summary>
public enum TimerKind : byte
{
    /// <summary>No timer pending (idiag_timer 0).</summary>
    None = 0,

    /// <summary>RTO, TLP or RACK-reorder pending (idiag_timer 1, ss "on").</summary>
    Retransmit = 1,

    /// <summary>sk_timer pending: keepalive or the orphan FIN_WAIT2 timer (idiag_timer 2).</summary>
    Keepalive = 2,

    /// <summary>Any timewait socket (idiag_timer 3).</summary>
    Timewait = 3,

    /// <summary>Zero-window probe pending (idiag_timer 4, ss "persist").</summary>
    Probe = 4,
}

/// <summary>Names of <see cref="TimerKind"/> as written in scenarios.</summary>
public static class TimerKindNames
{
    public static string ToScenarioName(this TimerKind kind) => kind switch
    {
        TimerKind.None => "none",
        TimerKind.Retransmit => "retransmit",
        TimerKind.Keepalive => "keepalive",
        TimerKind.Timewait => "timewait",
        TimerKind.Probe => "probe",
        _ => "unknown",
    };

    /// <summary>The name <c>ss -o</c> prints (on, keepalive, timewait, persist); null when no timer is pending.</summary>
    public static string? ToSsName(this TimerKind kind) => kind switch
    {
        TimerKind.None => null,
        TimerKind.Retransmit => "on",
        TimerKind.Keepalive => "keepalive",
        TimerKind.Timewait => "timewait",
        TimerKind.Probe => "persist",
        _ => "unknown",
    };

    public static bool TryParse(string text, out TimerKind kind)
    {
        switch (text.ToLowerInvariant())
        {
            case "none": kind = TimerKind.None; return true;
            case "retransmit" or "on": kind = TimerKind.Retransmit; return true;
            case "keepalive": kind = TimerKind.Keepalive; return true;
            case "timewait": kind = TimerKind.Timewait; return true;
            case "probe" or "persist": kind = TimerKind.Probe; return true;
            default: kind = TimerKind.None; return false;
        }
    }
}
