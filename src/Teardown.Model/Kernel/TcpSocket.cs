namespace Teardown.Model.Kernel;

/// <summary>Bits of sk_shutdown (include/net/sock.h): RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2.</summary>
[Flags]
public enum ShutdownFlags : byte
{
    None = 0,
    Receive = 1,
    Send = 2,
    Both = 3,
}

/// <summary>
/// A segment in the retransmit queue: its sequence range, whether it carries our FIN, and whether it was sent with
/// PSH (it ended a TSO packet: a retransmission cut from the front of a packet has no PSH, tcp_fragment).
/// </summary>
internal readonly record struct SentSegment(uint Seq, int Length, bool Fin, bool Push = false)
{
    public uint EndSeq => unchecked(Seq + (uint)Length + (Fin ? 1u : 0u));
}

/// <summary>
/// A full TCP socket (struct tcp_sock), attached to a descriptor or orphaned. Queues are byte counts:
/// contents never matter to teardown. Field names follow the kernel's where one exists.
/// </summary>
public sealed class TcpSocket : SocketBase
{
    internal TcpSocket(Host host, FourTuple tuple)
        : base(host, tuple)
    {
    }

    public TcpState State { get; internal set; } = TcpState.Close;

    /// <summary>The descriptor holding this socket, or -1 once orphaned (SOCK_DEAD, sock_orphan).</summary>
    public int Fd { get; internal set; } = -1;

    public bool IsOrphan => Fd < 0;

    /// <summary>True while close() runs on this socket: a CLOSE it passes through there is never observable.</summary>
    internal bool Releasing { get; set; }

    /// <summary>True for a socket the application never held: a request/child not yet accepted.</summary>
    public bool NotYetAccepted { get; internal set; }

    public ShutdownFlags Shutdown { get; internal set; }

    /// <summary>SOCK_DONE: a FIN was received and processed (tcp_input.c:tcp_fin).</summary>
    public bool Done { get; internal set; }

    /// <summary>sk_err: a pending hard error, reported once.</summary>
    public Errno Err { get; internal set; }

    /// <summary>sk_err_soft (e.g. an ICMP error) — reported only on timeout.</summary>
    public Errno ErrSoft { get; internal set; }

    // ---- send side (sequence numbers are absolute, 32-bit, wrapping)
    public uint Iss { get; internal set; }

    public uint SndUna { get; internal set; }

    public uint SndNxt { get; internal set; }

    /// <summary>End of all queued data, including our FIN once queued (tcp_output.c:tcp_send_fin).</summary>
    public uint WriteSeq { get; internal set; }

    /// <summary>True once our FIN is queued; its sequence number is WriteSeq − 1.</summary>
    public bool FinQueued { get; internal set; }

    /// <summary>The peer's advertised window in bytes; every value taken also raises <see cref="MaxWindow"/>.</summary>
    public uint SndWnd
    {
        get => _sndWnd;
        internal set
        {
            _sndWnd = value;
            if (value > MaxWindow) MaxWindow = value;
        }
    }

    private uint _sndWnd = 65535;

    /// <summary>max_window: the largest window the peer has offered (0 before it offered any).</summary>
    public uint MaxWindow { get; private set; }

    internal int Mss { get; set; } = 1460;

    internal int Cwnd { get; set; } = 10;

    /// <summary>Send timestamps of segments in flight, for RTT samples (Karn: none after a retransmission).</summary>
    internal SimTime FirstUnackedSentAt { get; set; } = SimTime.Never;

    internal SimTime LastSentAt { get; set; }

    internal bool FlightRetransmitted { get; set; }

    /// <summary>Segments sent and not yet fully acknowledged, oldest first (the retransmit queue).</summary>
    internal List<SentSegment> Flight { get; } = new(2);

    /// <summary>End of the last small segment sent (tp->snd_sml, tcp_minshall_check).</summary>
    internal uint SndSml { get; set; }

    // ---- receive side
    public uint Irs { get; internal set; }

    /// <summary>Next expected sequence number; includes the peer's FIN once processed.</summary>
    public uint RcvNxt { get; internal set; }

    /// <summary>The application's read point (tp->copied_seq).</summary>
    public uint CopiedSeq { get; internal set; }

    /// <summary>rcv_wup: rcv_nxt when the window was last advertised.</summary>
    internal uint RcvWup { get; set; }

    /// <summary>Receive buffer in bytes for the advertised window.</summary>
    internal uint RcvSpace { get; set; } = 65535;

    /// <summary>Segments received beyond rcv_nxt, kept until the hole fills (tcp_input.c:tcp_data_queue_ofo).</summary>
    internal List<SentSegment>? OutOfOrder { get; set; }

    /// <summary>icsk_probes_tstamp: when zero-window probing started (bounded by TCP_USER_TIMEOUT).</summary>
    internal SimTime ProbesStarted { get; set; } = SimTime.Never;

    /// <summary>True when the FIN arrived in the same segment as the last data (reading the data consumes it).</summary>
    internal bool FinWithData { get; set; }

    /// <summary>The last receive time and the timestamp to echo (RFC 7323 ts_recent).</summary>
    internal uint TsRecent { get; set; }

    internal SimTime TsRecentStamp { get; set; }

    // ---- timers and their state (tcp_timer.c)
    internal RetransmitKind RetransmitPending { get; set; }

    /// <summary>icsk_rto in microseconds (always a whole number of jiffies).</summary>
    internal long RtoUs { get; set; }

    internal long SrttUs8 { get; set; }

    /// <summary>The smallest RTT sample seen (tcp_min_rtt; the kernel's is windowed over 5 minutes), in µs.</summary>
    internal long MinRttUs { get; set; } = long.MaxValue;

    /// <summary>sk_pacing_rate in bytes per second as BBR set it at establishment (0 before; see Host.Pacing).</summary>
    internal long PacingRate { get; set; }

    /// <summary>BBR's has_seen_rtt: the pacing rate came from a measured RTT, not the 1 ms default.</summary>
    internal bool PacingSawRtt { get; set; }

    internal long MdevUs { get; set; }

    internal long MdevMaxUs { get; set; }

    internal long RttvarUs { get; set; }

    internal uint RttSeq { get; set; }

    internal int Backoff { get; set; }

    internal int Retransmits { get; set; }

    /// <summary>tp->total_rto: RTO events over the connection's life (SYN linear timeouts use it).</summary>
    internal int TotalRto { get; set; }

    /// <summary>retrans_stamp: when the first RTO retransmission left (the give-up clock).</summary>
    internal SimTime RetransStamp { get; set; } = SimTime.Never;

    internal int ProbesOut { get; set; }

    /// <summary>A tail loss probe's episode is open (tp->tlp_high_seq ≠ 0): no further probe is sent until it ends.</summary>
    internal bool TlpOutstanding { get; set; }

    /// <summary>tp->tlp_high_seq: snd_nxt when the probe was sent.</summary>
    internal uint TlpHighSeq { get; set; }

    /// <summary>tp->tlp_retrans: the probe re-sent data (rather than sending new data).</summary>
    internal bool TlpRetrans { get; set; }

    internal bool InLossRecovery { get; set; }

    /// <summary>rcv_tstamp: when the last ACK was received.</summary>
    internal SimTime RcvTstamp { get; set; }

    /// <summary>icsk_ack.lrcvtime: when the last data was received.</summary>
    internal SimTime LastDataReceived { get; set; }

    /// <summary>last_oow_ack_time: shared by dup ACKs for out-of-window segments and challenge ACKs.</summary>
    internal SimTime LastOowAckTime = SimTime.Never;

    internal bool EverReceivedData { get; set; }

    // ---- delayed ACK engine (inet_connection_sock icsk_ack)
    internal bool AckPending { get; set; }

    internal long AtoUs { get; set; }

    internal int Quick { get; set; }

    internal bool PingPong { get; set; }

    // ---- socket options
    public bool Linger { get; internal set; }

    public int LingerSeconds { get; internal set; }

    /// <summary>tp->linger2 in seconds: -1, 0 (use tcp_fin_timeout) or 1..120.</summary>
    public int Linger2 { get; internal set; }

    public bool KeepaliveEnabled { get; internal set; }

    public int KeepIdle { get; internal set; }

    public int KeepIntvl { get; internal set; }

    public int KeepCnt { get; internal set; }

    public int UserTimeoutMs { get; internal set; }

    // ---- listener
    internal int Backlog { get; set; }

    internal Queue<TcpSocket>? AcceptQueue { get; set; }

    internal TcpSocket? Parent { get; set; }

    internal int SynAckRetries { get; set; }

    /// <summary>A blocked connect() or lingering close() waiting on this socket.</summary>
    internal PendingCall? Waiter { get; set; }

    /// <summary>Payload bytes queued for the application: Recv-Q without the FIN.</summary>
    public long UnreadBytes => Math.Max(0, Seq.Diff(CopiedSeq, RcvNxt) - (Done && !FinConsumed ? 1 : 0));

    /// <summary>True once recv() passed the FIN (copied_seq includes it).</summary>
    internal bool FinConsumed { get; set; }

    /// <summary>Recv-Q as sock_diag reports it: rcv_nxt − copied_seq, counting an unread FIN.</summary>
    public long RecvQ => State == TcpState.Listen ? (AcceptQueue?.Count ?? 0) : Math.Max(0, Seq.Diff(CopiedSeq, RcvNxt));

    /// <summary>Send-Q as sock_diag reports it: write_seq − snd_una, counting our unacknowledged FIN.</summary>
    public long SendQ => State == TcpState.Listen ? Backlog : Math.Max(0, Seq.Diff(SndUna, WriteSeq));

    /// <summary>Bytes in flight: snd_nxt − snd_una.</summary>
    internal long InFlight => Math.Max(0, Seq.Diff(SndUna, SndNxt));

    /// <summary>Queued bytes not yet sent (the FIN included when queued and unsent).</summary>
    internal long Unsent => Math.Max(0, Seq.Diff(SndNxt, WriteSeq));
}
