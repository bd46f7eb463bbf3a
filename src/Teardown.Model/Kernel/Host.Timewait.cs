using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>Segments for a timewait socket (tcp_minisocks.c:tcp_timewait_state_process; tcp_ipv4.c:tcp_v4_rcv).</summary>
public sealed partial class Host
{
    /// <summary>
    /// Both substates. FIN_WAIT2: out of window → ACK (rate-limited, timer kept); any in-window RST kills it;
    /// a SYN at or past rcv_nxt, new data, or a FIN not exactly at rcv_nxt → reply RST and killed; a bare FIN at
    /// rcv_nxt → TIME_WAIT for 60 s with an ACK. TIME_WAIT: a bare in-window ACK restarts the 60 s; an exact
    /// RST kills it unless tcp_rfc1337; a new SYN goes to a listener if one exists; anything else is ACKed
    /// (rate-limited) and, if it carries ACK, restarts the timer.
    /// </summary>
    private void TimewaitStateProcess(TimewaitSocket tw, in Segment seg)
    {
        // tcp_paws_reject: a timestamp older than ts_recent (no window here, unlike full sockets).
        bool pawsReject = seg.TsVal != 0 && tw.TsRecent != 0 && unchecked((int)(seg.TsVal - tw.TsRecent)) < 0;
        if (tw.Substate == TcpState.FinWait2)
        {
            if (pawsReject || !InWindow(seg.Seq, seg.EndSeq, tw.RcvNxt, Seq.Add(tw.RcvNxt, tw.RcvWnd)))
            {
                TimewaitAck(tw, seg, Mib.TCPACKSkippedFinWait2);
                return;
            }

            if (seg.Rst)
            {
                KillTimewait(tw, Causes.TimewaitKilled);
                return;
            }

            if (seg.Syn && Seq.AfterOrEqual(seg.Seq, tw.RcvNxt))
            {
                SendReplyReset(seg);
                KillTimewait(tw, Causes.TimewaitKilled);
                return;
            }

            if (!seg.HasAck || !Seq.After(seg.EndSeq, tw.RcvNxt) || seg.EndSeq == seg.Seq) return;

            if (!seg.Fin || seg.EndSeq != Seq.Add(tw.RcvNxt, 1))
            {
                SendReplyReset(seg);
                KillTimewait(tw, Causes.TimewaitKilled);
                return;
            }

            tw.RcvNxt = seg.EndSeq;
            tw.TsRecent = seg.TsVal;
            RescheduleTimewait(tw, TimewaitLen);
            SetSubstate(tw, TcpState.TimeWait, Causes.TimewaitFin);
            SendTimewaitAck(tw);
            return;
        }

        // Real TIME_WAIT.
        if (!pawsReject && seg.Seq == tw.RcvNxt && (seg.Seq == seg.EndSeq || seg.Rst))
        {
            if (seg.Rst)
            {
                // TIME_WAIT assassination (RFC 1337): Linux allows it unless tcp_rfc1337 is set.
                if (Settings.TcpRfc1337 == 0) KillTimewait(tw, Causes.TimewaitKilled);
                return;
            }

            RescheduleTimewait(tw, TimewaitLen);
            if (seg.TsVal != 0) tw.TsRecent = seg.TsVal;
            return;
        }

        bool newerTimestamp = seg.TsVal != 0 && unchecked((int)(tw.TsRecent - seg.TsVal)) < 0;
        if (seg.Syn && !seg.Rst && !seg.HasAck && !pawsReject && (Seq.After(seg.Seq, tw.RcvNxt) || newerTimestamp))
        {
            if (Listener(seg.DstPort) is { } listener)
            {
                // TCP_TW_SYN: the new incarnation starts above anything the old one sent (tw_snd_nxt + 65537).
                uint isn = Seq.Add(tw.SndNxt, 65535 + 2);
                KillTimewait(tw, Causes.TimewaitKilled);
                ListenStateProcess(listener, seg, isn == 0 ? 1 : isn);
                return;
            }

            // No listener: TCP_TW_SYN falls through to an ACK.
            SendTimewaitAck(tw);
            return;
        }

        if (pawsReject) Count(Mib.PAWSEstab);
        if (!seg.Rst)
        {
            if (pawsReject || seg.HasAck) RescheduleTimewait(tw, TimewaitLen);
            TimewaitAck(tw, seg, Mib.TCPACKSkippedTimeWait);
        }
    }

    /// <summary>tcp_minisocks.c:tcp_in_window.</summary>
    private static bool InWindow(uint seq, uint endSeq, uint start, uint end) =>
        seq == start || (Seq.After(endSeq, start) && Seq.Before(seq, end)) || (seq == end && seq == endSeq);

    /// <summary>tcp_timewait_check_oow_rate_limit, then tcp_v4_timewait_ack.</summary>
    private void TimewaitAck(TimewaitSocket tw, in Segment seg, Mib skipped)
    {
        // tcp_oow_rate_limited: only segments that occupy no sequence space (or SYNs) are limited.
        if ((seg.EndSeq == seg.Seq || seg.Syn) && RateLimited(ref tw.LastOowAckTime, skipped)) return;
        SendTimewaitAck(tw);
    }

    /// <summary>tcp_ipv4.c:tcp_v4_timewait_ack: seq = snd_nxt, ack = rcv_nxt.</summary>
    private void SendTimewaitAck(TimewaitSocket tw)
    {
        var seg = new Segment(tw.Tuple.LocalAddr, tw.Tuple.LocalPort, tw.Tuple.RemoteAddr, tw.Tuple.RemotePort,
            tw.SndNxt, tw.RcvNxt, TcpFlags.Ack, 0, tw.RcvWnd, TsNow, tw.TsRecent);
        Transmit(seg);
    }
}
