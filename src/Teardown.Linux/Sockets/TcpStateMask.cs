namespace Teardown.Linux.Sockets;

/// <summary>State bitmask for <c>inet_diag_req_v2.idiag_states</c>: bit <c>1 &lt;&lt; state</c>.</summary>
[Flags]
public enum TcpStateMask : uint
{
    /// <summary>No state.</summary>
    None = 0,
#pragma warning disable CS1591
    Established = 1 << 1,
    SynSent = 1 << 2,
    /// <summary>Also selects NEW_SYN_RECV request sockets (net/ipv4/inet_diag.c:inet_diag_dump_icsk).</summary>
    SynRecv = 1 << 3,
    FinWait1 = 1 << 4,
    /// <summary>Matches full FIN_WAIT2 sockets and timewait mini-sockets whose sub-state is FIN_WAIT2.</summary>
    FinWait2 = 1 << 5,
    TimeWait = 1 << 6,
    Close = 1 << 7,
    CloseWait = 1 << 8,
    LastAck = 1 << 9,
    Listen = 1 << 10,
    Closing = 1 << 11,
    NewSynRecv = 1 << 12,
    /// <summary>
    /// Bound but neither listening nor connected (Linux 6.8+; the dump also walks the bind hash).
    /// Such sockets are reported with state CLOSE (7), not 13 (measured on 6.18), and never appear
    /// in /proc/net/tcp.
    /// </summary>
    BoundInactive = 1 << 13,
#pragma warning restore CS1591
    /// <summary>Every state including TIME_WAIT, SYN_RECV and bound-inactive.</summary>
    All = (1 << 14) - 2,
}

/// <summary>
/// Extension bits for <c>inet_diag_req_v2.idiag_ext</c>: <c>1 &lt;&lt; (INET_DIAG_x - 1)</c>.
/// INET_DIAG_SHUTDOWN and INET_DIAG_CGROUP_ID are sent for every full socket without asking
/// (net/ipv4/inet_diag.c:inet_diag_msg_attrs_fill).
/// </summary>
[Flags]
public enum DiagExtensions : byte
{
    /// <summary>No extensions.</summary>
    None = 0,
    /// <summary>INET_DIAG_MEMINFO.</summary>
    MemInfo = 1 << 0,
    /// <summary>INET_DIAG_INFO: struct tcp_info.</summary>
    TcpInfo = 1 << 1,
    /// <summary>INET_DIAG_CONG: congestion control name.</summary>
    Congestion = 1 << 3,
    /// <summary>INET_DIAG_SKMEMINFO: u32[SK_MEMINFO_VARS].</summary>
    SkMemInfo = 1 << 6,
}
