using System.Runtime.InteropServices;

namespace Teardown.Linux.Netlink;

/// <summary>
/// <c>struct tcp_info</c> (include/uapi/linux/tcp.h), as filled by net/ipv4/tcp.c:tcp_get_info and
/// sent as INET_DIAG_INFO by net/ipv4/tcp_diag.c:tcp_diag_get_info. The struct only ever grows at
/// the end, so a reply is copied by its reported length into a zeroed value: fields past that length
/// stay zero and <see cref="SocketRecord.TcpInfoLength"/> says which ones are real.
/// </summary>
/// <remarks>
/// Fields up to <see cref="tcpi_snd_wnd"/> (232 bytes) are checked against the installed uapi
/// header by the layout test. The tail (<see cref="tcpi_rcv_wnd"/> .. <see cref="tcpi_total_rto_time"/>,
/// Linux 6.2 and 6.7) is newer than those headers and is trusted from the kernel's reported length.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct TcpInfo
{
#pragma warning disable CS1591 // Field names are the kernel's; see include/uapi/linux/tcp.h.
    public byte tcpi_state;
    public byte tcpi_ca_state;
    /// <summary>Consecutive RTO expirations without progress (icsk_retransmits).</summary>
    public byte tcpi_retransmits;
    /// <summary>Unanswered zero-window or keepalive probes (icsk_probes_out).</summary>
    public byte tcpi_probes;
    /// <summary>Exponential RTO backoff (icsk_backoff).</summary>
    public byte tcpi_backoff;
    /// <summary>TCPI_OPT_* bits: 1 timestamps, 2 SACK, 4 wscale, 8 ECN, 16 ECN seen, 32 SYN data.</summary>
    public byte tcpi_options;
    /// <summary>Bitfield: tcpi_snd_wscale (low 4 bits), tcpi_rcv_wscale (high 4 bits).</summary>
    public byte tcpi_snd_rcv_wscale;
    /// <summary>Bitfield: tcpi_delivery_rate_app_limited (bit 0), tcpi_fastopen_client_fail (bits 1-2).</summary>
    public byte tcpi_app_limited_fastopen_fail;

    /// <summary>Retransmission timeout, microseconds.</summary>
    public uint tcpi_rto;
    public uint tcpi_ato;
    public uint tcpi_snd_mss;
    public uint tcpi_rcv_mss;

    public uint tcpi_unacked;
    public uint tcpi_sacked;
    public uint tcpi_lost;
    public uint tcpi_retrans;
    public uint tcpi_fackets;

    /// <summary>Milliseconds since data was last sent.</summary>
    public uint tcpi_last_data_sent;
    /// <summary>Not maintained by Linux ("Not remembered, sorry").</summary>
    public uint tcpi_last_ack_sent;
    /// <summary>Milliseconds since data was last received.</summary>
    public uint tcpi_last_data_recv;
    /// <summary>Milliseconds since an ACK was last received.</summary>
    public uint tcpi_last_ack_recv;

    public uint tcpi_pmtu;
    public uint tcpi_rcv_ssthresh;
    /// <summary>Smoothed RTT, microseconds.</summary>
    public uint tcpi_rtt;
    /// <summary>RTT variance, microseconds.</summary>
    public uint tcpi_rttvar;
    public uint tcpi_snd_ssthresh;
    public uint tcpi_snd_cwnd;
    public uint tcpi_advmss;
    public uint tcpi_reordering;

    public uint tcpi_rcv_rtt;
    public uint tcpi_rcv_space;

    public uint tcpi_total_retrans;

    public ulong tcpi_pacing_rate;
    public ulong tcpi_max_pacing_rate;
    public ulong tcpi_bytes_acked;
    public ulong tcpi_bytes_received;
    public uint tcpi_segs_out;
    public uint tcpi_segs_in;

    public uint tcpi_notsent_bytes;
    public uint tcpi_min_rtt;
    public uint tcpi_data_segs_in;
    public uint tcpi_data_segs_out;

    public ulong tcpi_delivery_rate;

    public ulong tcpi_busy_time;
    public ulong tcpi_rwnd_limited;
    public ulong tcpi_sndbuf_limited;

    public uint tcpi_delivered;
    public uint tcpi_delivered_ce;

    public ulong tcpi_bytes_sent;
    public ulong tcpi_bytes_retrans;
    public uint tcpi_dsack_dups;
    public uint tcpi_reord_seen;

    public uint tcpi_rcv_ooopack;

    /// <summary>Peer's advertised receive window after scaling, bytes. End of the layout in the installed headers (232 bytes).</summary>
    public uint tcpi_snd_wnd;

    /// <summary>Local receive window, bytes (Linux 6.2).</summary>
    public uint tcpi_rcv_wnd;
    /// <summary>PLB or timeout triggered rehash attempts (Linux 6.2).</summary>
    public uint tcpi_rehash;
    /// <summary>Total RTO timeouts including SYN/SYN-ACK and recurring ones (Linux 6.7).</summary>
    public ushort tcpi_total_rto;
    /// <summary>Total RTO recoveries (Linux 6.7).</summary>
    public ushort tcpi_total_rto_recoveries;
    /// <summary>Time spent in RTO recoveries, milliseconds (Linux 6.7).</summary>
    public uint tcpi_total_rto_time;
#pragma warning restore CS1591

    /// <summary>Size of the layout up to and including <see cref="tcpi_snd_wnd"/>.</summary>
    public const int SizeThroughSndWnd = 232;
}
