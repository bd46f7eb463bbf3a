namespace Teardown.Linux.Sockets;

/// <summary>Which optional parts of a <see cref="SocketRecord"/> were actually reported.</summary>
[Flags]
public enum SocketFields : ushort
{
    /// <summary>Only the always-present fields (family, state, tuple, queues, timer kind).</summary>
    None = 0,
    /// <summary><see cref="SocketRecord.Cookie"/> (sock_diag only).</summary>
    Cookie = 1 << 0,
    /// <summary><see cref="SocketRecord.Shutdown"/> (INET_DIAG_SHUTDOWN, full sockets only).</summary>
    Shutdown = 1 << 1,
    /// <summary><see cref="SocketRecord.CgroupId"/> (INET_DIAG_CGROUP_ID, full sockets only).</summary>
    CgroupId = 1 << 2,
    /// <summary>The tcp_info fields (INET_DIAG_INFO, full sockets only).</summary>
    TcpInfo = 1 << 3,
    /// <summary>The sk_meminfo fields (INET_DIAG_SKMEMINFO).</summary>
    SkMemInfo = 1 << 4,
    /// <summary><see cref="SocketRecord.TimerExpiresMs"/> has millisecond precision (sock_diag) rather than 10 ms ticks (/proc).</summary>
    ExactExpiry = 1 << 5,
    /// <summary><see cref="SocketRecord.Interface"/> (sock_diag only).</summary>
    Interface = 1 << 6,
}

/// <summary>Where a record came from.</summary>
public enum SocketSource : byte
{
    /// <summary>No source worked (a snapshot whose socket read failed entirely).</summary>
    None = 0,
    /// <summary>Netlink sock_diag (inet_diag) dump or lookup.</summary>
    SockDiag = 1,
    /// <summary>/proc/net/tcp or /proc/net/tcp6 text.</summary>
    ProcNetTcp = 2,
}

/// <summary>
/// One TCP socket as the kernel reports it, in one flat value so that a dump of 100k sockets is
/// one array and no per-socket object. Field meanings follow <c>struct inet_diag_msg</c> and
/// <c>struct tcp_info</c>; <see cref="Known"/> says which optional parts are present (timewait and
/// request sockets carry no attributes; /proc/net/tcp has no cookie, shutdown, cgroup or tcp_info).
/// </summary>
public struct SocketRecord
{
    /// <summary>Source of this record.</summary>
    public SocketSource Source;
    /// <summary>AF_INET (2) or AF_INET6 (10).</summary>
    public byte Family;
    /// <summary>TCP state, Linux numbering (<see cref="TcpState"/>); sub-state for timewait sockets.</summary>
    public byte State;
    /// <summary>Timer kind (<see cref="TimerKind"/>).</summary>
    public byte Timer;
    /// <summary>Retransmits/probes outstanding for the timer (<c>idiag_retrans</c> / <c>retrnsmt</c>).</summary>
    public byte Retrans;
    /// <summary>INET_DIAG_SHUTDOWN: bit 0 RCV_SHUTDOWN (FIN received or SHUT_RD), bit 1 SEND_SHUTDOWN (our FIN queued).</summary>
    public byte Shutdown;
    /// <summary>Which optional fields are present.</summary>
    public SocketFields Known;
    /// <summary>Local endpoint.</summary>
    public InetEndpoint Local;
    /// <summary>Remote endpoint.</summary>
    public InetEndpoint Remote;
    /// <summary>Bound interface index.</summary>
    public uint Interface;
    /// <summary>Socket inode; 0 means no file refers to it (orphan, timewait, unaccepted, request).</summary>
    public ulong Inode;
    /// <summary>Owner uid in the reader's user namespace (0 for timewait/request sockets).</summary>
    public uint Uid;
    /// <summary>Kernel socket cookie (sock_diag only): a stable identity for re-verification before acting.</summary>
    public ulong Cookie;
    /// <summary>Milliseconds until the timer fires (0 if none).</summary>
    public uint TimerExpiresMs;
    /// <summary>Receive queue bytes (FIN counts 1) or accept-queue length for LISTEN.</summary>
    public uint RecvQ;
    /// <summary>Unacknowledged send bytes or backlog limit for LISTEN.</summary>
    public uint SendQ;
    /// <summary>cgroup v2 id (the cgroup directory's inode number).</summary>
    public ulong CgroupId;

    /// <summary>Bytes of tcp_info the kernel reported (0 if absent).</summary>
    public ushort TcpInfoLength;
    /// <summary>tcpi_retransmits: consecutive RTO expirations.</summary>
    public byte TcpiRetransmits;
    /// <summary>tcpi_probes: unanswered keepalive/zero-window probes.</summary>
    public byte TcpiProbes;
    /// <summary>tcpi_backoff: RTO exponential backoff.</summary>
    public byte TcpiBackoff;
    /// <summary>tcpi_options: TCPI_OPT_* bits.</summary>
    public byte TcpiOptions;
    /// <summary>tcpi_rto, microseconds.</summary>
    public uint RtoUs;
    /// <summary>tcpi_rtt, microseconds.</summary>
    public uint RttUs;
    /// <summary>tcpi_rttvar, microseconds.</summary>
    public uint RttVarUs;
    /// <summary>tcpi_snd_cwnd, segments.</summary>
    public uint SndCwnd;
    /// <summary>tcpi_last_data_sent, ms ago.</summary>
    public uint LastDataSentMs;
    /// <summary>tcpi_last_data_recv, ms ago: an upper bound on a CLOSE_WAIT's age when data preceded the FIN.</summary>
    public uint LastDataRecvMs;
    /// <summary>tcpi_last_ack_recv, ms ago.</summary>
    public uint LastAckRecvMs;
    /// <summary>tcpi_total_retrans.</summary>
    public uint TotalRetrans;
    /// <summary>tcpi_bytes_received.</summary>
    public ulong BytesReceived;
    /// <summary>tcpi_bytes_acked.</summary>
    public ulong BytesAcked;

    /// <summary>SK_MEMINFO_RMEM_ALLOC.</summary>
    public uint RmemAlloc;
    /// <summary>SK_MEMINFO_RCVBUF.</summary>
    public uint RcvBuf;
    /// <summary>SK_MEMINFO_WMEM_ALLOC.</summary>
    public uint WmemAlloc;
    /// <summary>SK_MEMINFO_SNDBUF.</summary>
    public uint SndBuf;
    /// <summary>SK_MEMINFO_DROPS.</summary>
    public uint Drops;

    /// <summary>The connection's 4-tuple (for lookup and destroy).</summary>
    public readonly SocketTuple Tuple => new(Family, Local, Remote, Interface);

    /// <summary>The state as an enum.</summary>
    public readonly TcpState KernelState => (TcpState)State;

    /// <inheritdoc />
    public override readonly string ToString() =>
        $"{KernelState} {Local} -> {Remote} ino={Inode} rq={RecvQ} wq={SendQ} timer={(TimerKind)Timer}/{TimerExpiresMs}ms";
}
