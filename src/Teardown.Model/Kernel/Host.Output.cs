using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>Segment output: data and FIN transmission, ACKs, resets (tcp_output.c, tcp_ipv4.c).</summary>
public sealed partial class Host
{
    /// <summary>The window we advertise: free receive space (a simplification of tcp_select_window).</summary>
    private static uint AdvertisedWindow(TcpSocket s) =>
        (uint)Math.Max(0, s.RcvSpace - Math.Min(s.RcvSpace, s.UnreadBytes));

    /// <summary>
    /// Builds and transmits one segment of a full socket (tcp_output.c:__tcp_transmit_skb). A segment with
    /// ACK also acknowledges everything received so far, so a pending delayed ACK is satisfied
    /// (tcp_event_ack_sent).
    /// </summary>
    internal void SendSegment(TcpSocket s, uint seq, TcpFlags flags, int length)
    {
        bool ack = (flags & TcpFlags.Ack) != 0;
        var seg = new Segment(
            s.Tuple.LocalAddr, s.Tuple.LocalPort, s.Tuple.RemoteAddr, s.Tuple.RemotePort,
            seq, ack ? s.RcvNxt : 0, flags, length, AdvertisedWindow(s), TsNow, s.TsRecent);
        if (ack) OnAckSent(s);
        s.LastSentAt = Now;
        Transmit(seg);
    }

    /// <summary>tcp_output.c:tcp_event_ack_sent and tcp.h:tcp_dec_quickack_mode.</summary>
    private void OnAckSent(TcpSocket s)
    {
        if (s.Quick > 0)
        {
            int pkts = s.AckPending ? 1 : 0;
            if (pkts >= s.Quick)
            {
                s.Quick = 0;
                s.AtoUs = AtoMinUs;
            }
            else
            {
                s.Quick -= pkts;
            }
        }

        s.AckPending = false;
        CancelTimer(s, Slot.DelayedAck);
        s.RcvWup = s.RcvNxt;
    }

    /// <summary>A pure ACK of rcv_nxt with seq = snd_nxt (tcp_output.c:tcp_send_ack).</summary>
    internal void SendAck(TcpSocket s) => SendSegment(s, s.SndNxt, TcpFlags.Ack, 0);

    /// <summary>
    /// An active reset: RST+ACK, seq = snd_nxt, ack = rcv_nxt, never retransmitted; counts OutRsts
    /// (tcp_output.c:tcp_send_active_reset).
    /// </summary>
    internal void SendActiveReset(TcpSocket s)
    {
        Count(Mib.OutRsts);
        SendSegment(s, s.SndNxt, TcpFlags.Rst | TcpFlags.Ack, 0);
    }

    /// <summary>
    /// A reply reset to one incoming segment (tcp_ipv4.c:tcp_v4_send_reset): never in answer to a RST; if the
    /// segment had ACK, seq = its ack and no ACK flag; otherwise RST+ACK with seq 0 and ack = seg.seq + SYN +
    /// FIN + payload. Window 0. Counts OutRsts.
    /// </summary>
    internal void SendReplyReset(in Segment incoming)
    {
        if (incoming.Rst) return;
        Count(Mib.OutRsts);
        Segment rst = incoming.HasAck
            ? new Segment(incoming.DstAddr, incoming.DstPort, incoming.SrcAddr, incoming.SrcPort, incoming.Ack, 0, TcpFlags.Rst, 0, 0, 0, 0)
            : new Segment(incoming.DstAddr, incoming.DstPort, incoming.SrcAddr, incoming.SrcPort, 0, incoming.EndSeq, TcpFlags.Rst | TcpFlags.Ack, 0, 0, 0, 0);
        Transmit(rst);
    }

    /// <summary>
    /// Sends what the send queue allows (tcp_output.c:tcp_write_xmit), one TSO packet at a time: up to
    /// <see cref="TsoSegs"/> MSS-sized segments and at most half the congestion window per packet
    /// (tcp_cwnd_test: "at least 2 GSO packets in flight"), within the congestion window and the peer's window.
    /// The last segment of each packet carries PSH: the device's GSO keeps it on a packet's last segment, and on
    /// 6.18 every packet of several segments cut from a pushed write ends with it (observed: [.] [P.] [.] [P.] for 4
    /// segments in packets of 2). When the pacing rate sizes packets at one segment (<see cref="TsoSegs"/> 1: BBR's
    /// minimum below 1.2 Mbit/s, tcp_bbr.c:bbr_min_tso_segs, an RTT over ~280 ms at the initial rate) they do not:
    /// then only the segment that ends the send queue has PSH, as tcp_output.c:tso_fragment leaves it on the second
    /// part of every split (measured on 6.18, 1500, 3000 and 5000 bytes over a 200 ms link: [.] [P.], [.] [.] [P.],
    /// [.] [.] [.] [P.]; fuzz seed 30000442). Why packets of several segments each keep PSH is measured, not traced to
    /// its line (docs/kernel-notes.md §5); a one-segment packet cut by the congestion window keeps the several-segment
    /// rule, unmeasured. A last partial segment waits under Nagle (Minshall's variant, tcp_nagle_check, judged as
    /// the packet starts, as tcp_mss_split_point does) unless <paramref name="nagleOff"/> (tcp_send_fin pushes
    /// with TCP_NAGLE_OFF). The FIN rides on the last data segment when it fits, as tcp_send_fin appends it to
    /// the tail skb.
    /// </summary>
    internal void WriteXmit(TcpSocket s, bool nagleOff)
    {
        int sent = 0;
        bool wasIdle = s.InFlight == 0;
        var packet = new List<(int Length, bool Fin)>(4);
        while (s.Unsent > 0)
        {
            int quota = Math.Min(Math.Max(s.Cwnd / 2, 1), s.Cwnd - PacketsInFlight(s));
            if (quota <= 0) break;
            int tsoSegs = TsoSegs(s);
            bool endsQueue = PlanPacket(s, Math.Min(quota, tsoSegs), nagleOff, packet);
            if (packet.Count == 0) break;
            bool pushLast = tsoSegs > 1 || endsQueue;
            for (int i = 0; i < packet.Count; i++) SendNewSegment(s, packet[i].Length, packet[i].Fin, push: pushLast && i == packet.Count - 1);
            sent += packet.Count;
        }

        if (sent == 0)
        {
            CheckProbeTimer(s);
            return;
        }

        // tcp_output.c:tcp_event_new_data_sent: the RTO starts when the flight was empty (or a TLP was pending).
        if (wasIdle || s.RetransmitPending == RetransmitKind.LossProbe || !s.Timers[(int)Slot.Retransmit].Armed) RearmRto(s);
        ScheduleLossProbe(s, advancingRto: false);
    }

    /// <summary>The segments of the next TSO packet: at most <paramref name="maxSegs"/>, each within the peer's window.</summary>
    /// <returns>whether the packet takes the rest of the send queue (its last segment ends what was written)</returns>
    private static bool PlanPacket(TcpSocket s, int maxSegs, bool nagleOff, List<(int Length, bool Fin)> packet)
    {
        packet.Clear();
        long planned = 0;
        long dataQueued = s.Unsent - (s.FinQueued ? 1 : 0);
        while (packet.Count < maxSegs && planned < s.Unsent)
        {
            long dataLeft = dataQueued - planned;
            int chunk = (int)Math.Min(Math.Max(dataLeft, 0), s.Mss);
            bool carriesFin = s.FinQueued && chunk == dataLeft;
            // tcp_snd_wnd_test: the segment's end (a FIN counts) must fit in the peer's window.
            if (Seq.Diff(s.SndUna, s.SndNxt) + planned + chunk + (carriesFin ? 1 : 0) > s.SndWnd) break;
            if (chunk > 0 && chunk < s.Mss && !carriesFin && !nagleOff && s.InFlight > 0 && MinshallHolds(s)) break;
            packet.Add((chunk, carriesFin));
            planned += chunk + (carriesFin ? 1 : 0);
        }

        return planned == s.Unsent;
    }

    /// <summary>
    /// tcp_output.c:tcp_minshall_check: a small segment sent earlier is still unacknowledged (snd_sml lies within
    /// the flight). Both bounds matter: snd_sml starts at the ISN (tcp_connect_init) or ISN + 1
    /// (tcp_minisocks.c:tcp_create_openreq_child), and the model once left it at 0, which for half of all ISNs lay "after" snd_una and held a write's last
    /// partial segment back for an RTT where Linux sends it at once.
    /// </summary>
    private static bool MinshallHolds(TcpSocket s) => Seq.After(s.SndSml, s.SndUna) && !Seq.After(s.SndSml, s.SndNxt);

    /// <summary>
    /// The new-data path of a tail loss probe (tcp_output.c:tcp_send_loss_probe calls tcp_write_xmit with
    /// push_one = 2 and TCP_NAGLE_OFF): one segment from the head of the unsent queue — what Nagle held back —
    /// even beyond the congestion window, when the peer's window takes it (tcp_snd_wnd_test). False when the
    /// window does not: the probe then re-sends the last segment instead.
    /// </summary>
    internal bool SendNewDataProbe(TcpSocket s)
    {
        if (s.Unsent == 0) return false;
        long dataLeft = s.Unsent - (s.FinQueued ? 1 : 0);
        int chunk = (int)Math.Min(dataLeft, s.Mss);
        bool carriesFin = s.FinQueued && chunk == dataLeft;
        if (Seq.Diff(s.SndUna, s.SndNxt) + chunk + (carriesFin ? 1 : 0) > s.SndWnd) return false;
        SendNewSegment(s, chunk, carriesFin, push: chunk == dataLeft);
        return true;
    }

    /// <summary>Sends the next <paramref name="chunk"/> bytes of the unsent queue (and the FIN) and adds them to the flight.</summary>
    private void SendNewSegment(TcpSocket s, int chunk, bool carriesFin, bool push)
    {
        TcpFlags flags = TcpFlags.Ack;
        if (chunk > 0 && push) flags |= TcpFlags.Psh;
        if (carriesFin) flags |= TcpFlags.Fin;
        uint seq = s.SndNxt;
        if (s.InFlight == 0)
        {
            s.FirstUnackedSentAt = Now;
            s.FlightRetransmitted = false;
        }

        SendSegment(s, seq, flags, chunk);
        s.Flight.Add(new SentSegment(seq, chunk, carriesFin, (flags & TcpFlags.Psh) != 0));
        s.SndNxt = Seq.Add(s.SndNxt, chunk + (carriesFin ? 1 : 0));
        if (chunk > 0 && chunk < s.Mss) s.SndSml = s.SndNxt;
    }

    /// <summary>
    /// tcp.h:tcp_check_probe_timer: data is waiting, nothing is in flight and no timer runs — the window must
    /// be closed, so arm the zero-window probe timer (ss "persist") at max(RTO, TCP_RTO_MIN).
    /// </summary>
    internal void CheckProbeTimer(TcpSocket s)
    {
        if (s.Flight.Count > 0 || s.Unsent == 0 || s.Timers[(int)Slot.Retransmit].Armed) return;
        ResetRetransmitTimer(s, RetransmitKind.Probe0, new SimDuration(Math.Max(s.RtoUs, RtoMinUs)));
    }

    /// <summary>tcp_packets_in_flight, counted in segments.</summary>
    internal static int PacketsInFlight(TcpSocket s) => s.Flight.Count;

    /// <summary>
    /// Queues our FIN after any data and pushes it (tcp_output.c:tcp_send_fin). write_seq includes the FIN.
    /// </summary>
    internal void SendFin(TcpSocket s)
    {
        if (s.FinQueued) return;
        s.FinQueued = true;
        s.WriteSeq = Seq.Add(s.WriteSeq, 1);
        WriteXmit(s, nagleOff: true);
    }
}
