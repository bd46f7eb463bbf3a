namespace Teardown.Model.Kernel;

/// <summary>
/// How many segments one transmission carries: the kernel hands the device TSO/GSO packets of several segments,
/// sized from the pacing rate, and the last segment of each carries PSH (measured on 6.18: a 3000-byte send
/// over a 5 ms link leaves as [.] [P.] [P.], over a 1 ms link as [.] [.] [P.]) — unless packets hold one segment
/// (below 1.2 Mbit/s, bbr_min_tso_segs): then only the write's last does (over a 200 ms link, [.] [.] [P.]). The pacing rate is the congestion
/// control's: this kernel is built with CONFIG_DEFAULT_TCP_CONG="bbr", so every namespace starts with BBR, and
/// BBR sets the rate when the connection is established (tcp_bbr.c:bbr_init → bbr_init_pacing_rate_from_rtt).
/// Later increases (BBR's startup raises the rate with measured delivery, bbr_set_pacing_rate) are not modelled:
/// they need more data delivered than teardown scenarios send.
/// </summary>
public sealed partial class Host
{
    /// <summary>bbr_high_gain: 2885/1000 in BBR's 8-bit fixed point, rounded up (tcp_bbr.c).</summary>
    private const long BbrHighGain = 256 * 2885 / 1000 + 1;

    /// <summary>bbr_pacing_margin_percent: BBR paces 1 % below its estimate (tcp_bbr.c:bbr_rate_bytes_per_sec).</summary>
    private const long BbrPacingMarginPercent = 1;

    /// <summary>GSO_LEGACY_MAX_SIZE: a TUN device's (and most devices') largest GSO packet.</summary>
    private const long GsoMaxSize = 65536;

    /// <summary>sk_pacing_shift's default (sock.c:sock_init_data): a TSO packet holds ~1 ms of the pacing rate.</summary>
    private const int PacingShift = 10;

    /// <summary>net.ipv4.tcp_tso_rtt_log's default: on short paths TSO packets grow with 64 KB >> (min_rtt / 512 µs).</summary>
    private const int TsoRttLog = 9;

    /// <summary>
    /// tcp_bbr.c:bbr_init_pacing_rate_from_rtt, at establishment (tcp_init_transfer → bbr_init) and again at the
    /// first RTT sample when the handshake gave none (bbr_set_pacing_rate: !has_seen_rtt): cwnd segments per
    /// smoothed RTT (1 ms without a sample), times BBR's startup gain, less its margin, in bytes per second.
    /// </summary>
    internal static void InitPacingRate(TcpSocket s)
    {
        long rttUs = s.SrttUs8 != 0 ? Math.Max(s.SrttUs8 >> 3, 1) : 1000;
        s.PacingSawRtt = s.SrttUs8 != 0;
        const int bwScale = 24, bbrScale = 8;
        Int128 bw = (Int128)s.Cwnd * (1L << bwScale) / rttUs; // segments per µs, 24-bit fixed point
        // bbr_rate_bytes_per_sec, in its order of operations (the shifts round as the kernel's do). 128 bits: the
        // model's RTT on a zero-delay link is 1 µs, and a loopback MSS is 64 KB.
        Int128 rate = bw * s.Mss;
        rate = rate * BbrHighGain >> bbrScale;
        rate = rate * (1_000_000 / 100 * (100 - BbrPacingMarginPercent)) >> bwScale;
        s.PacingRate = (long)Int128.Min(rate, long.MaxValue);
    }

    /// <summary>
    /// tcp_output.c:tcp_tso_segs with tcp_tso_autosize: about 1 ms worth of the pacing rate (plus 64 KB >> (min_rtt /
    /// 512 µs) on short paths), at most a GSO packet, at least BBR's minimum of 2 segments
    /// (tcp_bbr.c:bbr_min_tso_segs; 1 below 1.2 Mbit/s).
    /// </summary>
    internal static int TsoSegs(TcpSocket s)
    {
        if (s.PacingRate == 0) return int.MaxValue; // not established through a handshake we modelled: no limit
        long bytes = s.PacingRate >> PacingShift;
        long r = s.MinRttUs >> TsoRttLog;
        if (r < 32) bytes += GsoMaxSize >> (int)r;
        bytes = Math.Min(bytes, GsoMaxSize);
        int minSegs = s.PacingRate < 1_200_000 / 8 ? 1 : 2;
        return (int)Math.Max(bytes / s.Mss, minSegs);
    }
}
