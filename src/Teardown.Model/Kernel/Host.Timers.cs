using Teardown.Model.Rules;
using Teardown.Model.Simulation;
using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>Timers: retransmission and give-up, loss probes, delayed ACK, keepalive and the orphan FIN_WAIT2 timer (tcp_timer.c).</summary>
public sealed partial class Host
{
    /// <summary>TCP_ATO_MIN = HZ/25 = 40 ms (include/net/tcp.h).</summary>
    internal const long AtoMinUs = 40_000;

    /// <summary>TCP_DELACK_MAX = HZ/5 = 200 ms.</summary>
    internal const long DelackMaxUs = 200_000;

    internal void OnTimerFired(SocketBase sock, Slot slot)
    {
        if (sock is TimewaitSocket tw)
        {
            Observer?.OnTimer(Now, this, tw.Tuple, TimerKind.Timewait, TimerChange.Fired, Now);
            KillTimewait(tw, Causes.TimewaitExpired);
            return;
        }

        var s = (TcpSocket)sock;
        switch (slot)
        {
            case Slot.Retransmit:
                Observer?.OnTimer(Now, this, s.Tuple, s.RetransmitPending == RetransmitKind.Probe0 ? TimerKind.Probe : TimerKind.Retransmit, TimerChange.Fired, Now);
                RetransmitTimerFired(s);
                break;
            case Slot.DelayedAck:
                DelayedAckTimer(s);
                break;
            case Slot.Keepalive:
                Observer?.OnTimer(Now, this, s.Tuple, TimerKind.Keepalive, TimerChange.Fired, Now);
                KeepaliveTimer(s);
                break;
            case Slot.Timewait:
                // On a full socket this slot times a lingering close() (stream.c:sk_stream_wait_close).
                if (s.Waiter is { } call) FinishLingeringClose(s, call);
                break;
        }
    }

    // ---------------------------------------------------------------- RTT and RTO

    /// <summary>
    /// Jacobson/Karels as Linux does it in microseconds (tcp_input.c:tcp_rtt_estimator), then
    /// icsk_rto = srtt/8 + rttvar rounded up to jiffies (tcp_input.c:tcp_set_rto, __tcp_set_rto).
    /// rttvar never falls below TCP_RTO_MIN, which is why a fast path still has an RTO of 200 ms + a jiffy.
    /// </summary>
    internal void RttSample(TcpSocket s, long mrttUs)
    {
        long m = Math.Max(1, mrttUs);
        long srtt = s.SrttUs8;
        if (srtt != 0)
        {
            m -= srtt >> 3;
            srtt += m;
            if (m < 0)
            {
                m = -m;
                m -= s.MdevUs >> 2;
                if (m > 0) m >>= 3;
            }
            else
            {
                m -= s.MdevUs >> 2;
            }

            s.MdevUs += m;
            if (s.MdevUs > s.MdevMaxUs)
            {
                s.MdevMaxUs = s.MdevUs;
                if (s.MdevMaxUs > s.RttvarUs) s.RttvarUs = s.MdevMaxUs;
            }

            if (Seq.After(s.SndUna, s.RttSeq))
            {
                if (s.MdevMaxUs < s.RttvarUs) s.RttvarUs -= (s.RttvarUs - s.MdevMaxUs) >> 2;
                s.RttSeq = s.SndNxt;
                s.MdevMaxUs = RtoMinUs;
            }
        }
        else
        {
            srtt = m << 3;
            s.MdevUs = m << 1;
            s.RttvarUs = Math.Max(s.MdevUs, RtoMinUs);
            s.MdevMaxUs = s.RttvarUs;
            s.RttSeq = s.SndNxt;
        }

        s.SrttUs8 = Math.Max(1, srtt);
        s.MinRttUs = Math.Min(s.MinRttUs, Math.Max(1, mrttUs));
        if (s.PacingRate != 0 && !s.PacingSawRtt) InitPacingRate(s); // tcp_bbr.c:bbr_set_pacing_rate
        s.RtoUs = Math.Min(RtoMaxUs, RoundUpToJiffies((s.SrttUs8 >> 3) + s.RttvarUs));
        // RFC 6298: only a valid RTT measurement resets the backoff (tcp_input.c:tcp_ack_update_rtt).
        s.Backoff = 0;
    }

    /// <summary>F(icsk_rto), the "3.5 × RTO" floor (<see cref="TcpTimeouts.RtoFloor"/>).</summary>
    internal SimDuration RtoFloor(TcpSocket s) => TcpTimeouts.RtoFloor(s.RtoUs, JiffyUs);

    /// <summary>tcp_fin_time of this socket (<see cref="TcpTimeouts.FinTime"/>). Callers check linger2 &lt; 0 first.</summary>
    internal SimDuration FinTime(TcpSocket s) => TcpTimeouts.FinTime(s.Linger2, Settings.TcpFinTimeout, s.RtoUs, JiffyUs);

    // ---------------------------------------------------------------- retransmission

    /// <summary>
    /// tcp_output.c:tcp_rearm_rto: the RTO from now, or nothing when nothing is in flight. While a loss probe is
    /// pending the RTO keeps counting from the head segment's transmission instead (tcp_rto_delta_us, at least
    /// one jiffy): a probe timer that fires without sending (one TLP is already out, tcp_send_loss_probe) gives
    /// back only what the RTO had left (seen on 6.18, fuzz seed 30000435).
    /// </summary>
    internal void RearmRto(TcpSocket s)
    {
        if (s.Flight.Count == 0)
        {
            CancelRetransmit(s);
            return;
        }

        long rto = s.RetransmitPending == RetransmitKind.LossProbe
            ? RoundUpToJiffies(Math.Max(RtoDeltaUs(s), 1))
            : ClampRtoToUserTimeout(s);
        ResetRetransmitTimer(s, RetransmitKind.Rto, new SimDuration(rto));
    }

    internal void CancelRetransmit(TcpSocket s)
    {
        CancelTimer(s, Slot.Retransmit);
        s.RetransmitPending = RetransmitKind.None;
    }

    private void ResetRetransmitTimer(TcpSocket s, RetransmitKind kind, SimDuration after)
    {
        s.RetransmitPending = kind;

        // An RTO is srtt + rttvar doubled per backoff: an RTT the kernel measured larger than the model's (host
        // and wire latency the model does not have) makes every backed-off RTO longer by that much times 2^backoff.
        SimDuration rttExcess = kind == RetransmitKind.Rto ? _sim.RttExcessBound * (1L << Math.Min(s.Backoff, 16)) : SimDuration.Zero;
        ArmTimer(s, Slot.Retransmit, SimDuration.Min(after, new SimDuration(RtoMaxUs)), rttExcess);
    }

    /// <summary>tcp_timer.c:tcp_clamp_rto_to_user_timeout: never sleep past the user timeout.</summary>
    private long ClampRtoToUserTimeout(TcpSocket s)
    {
        if (s.UserTimeoutMs == 0 || s.RetransStamp == SimTime.Never) return s.RtoUs;
        long remainingUs = (s.UserTimeoutMs * 1000L) - (Now - s.RetransStamp).Microseconds;
        if (remainingUs <= 0) return JiffyUs;
        return Math.Min(s.RtoUs, RoundUpToJiffies(remainingUs));
    }

    /// <summary>
    /// Schedules a tail loss probe (tcp_output.c:tcp_schedule_loss_probe): 2·srtt plus TCP_RTO_MIN when one
    /// segment is out (else 2 jiffies), 1 s without an RTT sample, never later than the RTO would fire; only
    /// outside loss recovery and with tcp_early_retrans 3 or 4.
    /// </summary>
    internal bool ScheduleLossProbe(TcpSocket s, bool advancingRto)
    {
        if (Settings.TcpEarlyRetrans is not (3 or 4) || s.Flight.Count == 0 || s.InLossRecovery) return false;
        if (s.State is TcpState.SynSent or TcpState.SynRecv) return false;
        long timeout;
        if (s.SrttUs8 != 0)
        {
            timeout = RoundUpToJiffies(s.SrttUs8 >> 2) + (s.Flight.Count == 1 ? RtoMinUs : 2 * JiffyUs);
        }
        else
        {
            timeout = TimeoutInitUs;
        }

        long rtoDelta = advancingRto ? s.RtoUs : RtoDeltaUs(s);
        if (rtoDelta > 0) timeout = Math.Min(timeout, RoundUpToJiffies(rtoDelta));
        ResetRetransmitTimer(s, RetransmitKind.LossProbe, new SimDuration(timeout));
        return true;
    }

    /// <summary>tcp.h:tcp_rto_delta_us: how far in the future the RTO of the head segment lies.</summary>
    private long RtoDeltaUs(TcpSocket s) => (s.FirstUnackedSentAt + new SimDuration(s.RtoUs) - Now).Microseconds;

    private void RetransmitTimerFired(TcpSocket s)
    {
        // tcp_timer.c:tcp_write_timer_handler clears icsk_pending for an RTO or a zero-window probe, not for a
        // loss probe: tcp_send_loss_probe clears it only once a probe is sent, so its tcp_rearm_rto otherwise
        // keeps the head's RTO.
        RetransmitKind kind = s.RetransmitPending;
        if (kind != RetransmitKind.LossProbe) s.RetransmitPending = RetransmitKind.None;
        switch (kind)
        {
            case RetransmitKind.LossProbe:
                SendLossProbe(s);
                break;
            case RetransmitKind.Rto when s.State == TcpState.SynRecv && s.NotYetAccepted:
                SynAckTimer(s);
                break;
            case RetransmitKind.Rto:
                RetransmitTimer(s);
                break;
            case RetransmitKind.Probe0:
                ProbeTimer(s);
                break;
        }
    }

    /// <summary>
    /// tcp_timer.c:tcp_probe_timer: while the peer's window stays closed, send a window probe (an ACK at
    /// snd_una − 1) with exponential backoff capped at TCP_RTO_MAX. An attached socket gives up after
    /// tcp_retries2 unanswered probes (any ACK resets the count, so a live peer keeps it forever, RFC 1122
    /// §4.2.2.17); an orphan after tcp_orphan_retries; with TCP_USER_TIMEOUT after that long.
    /// </summary>
    private void ProbeTimer(TcpSocket s)
    {
        if (s.Flight.Count > 0 || s.Unsent == 0)
        {
            s.ProbesOut = 0;
            s.ProbesStarted = SimTime.Never;
            return;
        }

        bool abort = false;
        if (s.ProbesStarted == SimTime.Never)
        {
            s.ProbesStarted = Now;
        }
        else if (s.UserTimeoutMs != 0 && (Now - s.ProbesStarted).Microseconds >= s.UserTimeoutMs * 1000L)
        {
            abort = true;
        }

        int maxProbes = Settings.TcpRetries2;
        if (!abort && s.IsOrphan)
        {
            bool alive = TcpTimeouts.OrphanAlive(ProbeInterval(s));
            maxProbes = OrphanRetries(s, alive);
            if (!alive && s.Backoff >= maxProbes) abort = true;
            else if (OutOfResources(s, doReset: true)) return;
        }

        if (abort || s.ProbesOut >= maxProbes)
        {
            WriteError(s);
            return;
        }

        // tcp_output.c:tcp_send_probe0 → tcp_write_wakeup → tcp_xmit_probe_skb.
        SendSegment(s, Seq.Add(s.SndUna, -1), TcpFlags.Ack, 0);
        s.ProbesOut++;
        if (s.Backoff < Settings.TcpRetries2) s.Backoff++;
        long interval = ProbeInterval(s);
        if (s.UserTimeoutMs != 0)
        {
            long left = (s.UserTimeoutMs * 1000L) - (Now - s.ProbesStarted).Microseconds;
            interval = Math.Max(JiffyUs, Math.Min(interval, left));
        }

        ResetRetransmitTimer(s, RetransmitKind.Probe0, new SimDuration(interval));
    }

    /// <summary>tcp.h:tcp_probe0_when: max(RTO, TCP_RTO_MIN) shifted by the backoff, capped at TCP_RTO_MAX.</summary>
    private static long ProbeInterval(TcpSocket s)
    {
        long baseUs = Math.Max(s.RtoUs, RtoMinUs);
        return s.Backoff >= 20 ? RtoMaxUs : Math.Min(baseUs << s.Backoff, RtoMaxUs);
    }

    /// <summary>
    /// tcp_output.c:tcp_send_loss_probe, once per episode: a new segment when data waits unsent (held by Nagle)
    /// and the peer's window takes it, else the last segment again (that one counts as a retransmitted segment
    /// but neither in icsk_retransmits nor in retrans_stamp); then a full RTO is armed. With a probe already out
    /// (tlp_high_seq) nothing is sent and the RTO is re-armed for what it had left (tcp_rearm_rto).
    /// </summary>
    private void SendLossProbe(TcpSocket s)
    {
        if (s.Flight.Count == 0) return;
        if (s.TlpOutstanding)
        {
            RearmRto(s);
            return;
        }

        if (SendNewDataProbe(s))
        {
            OpenTlpEpisode(s, retransmitted: false);
            Count(Mib.TCPLossProbes);
        }
        else
        {
            SentSegment last = s.Flight[^1];
            Count(Mib.RetransSegs);
            // The probe is the tail skb's last MSS (tcp_fragment keeps PSH on the tail part).
            TcpFlags flags = TcpFlags.Ack | (last.Push ? TcpFlags.Psh : 0) | (last.Fin ? TcpFlags.Fin : 0);
            SendSegment(s, last.Seq, flags, last.Length);
            s.FlightRetransmitted = true;
            OpenTlpEpisode(s, retransmitted: true);

            // A probe that re-sent the head itself gives it a new transmission time, from which tcp_rto_delta_us
            // counts (tcp_output.c:tcp_update_skb_after_send): a later tcp_rearm_rto (a second probe finding this one
            // out) then leaves a full RTO from the probe, not from the first send (fuzz seed 32100114: a FIN queued
            // after a probe of the only data segment; the kernel re-sent both at the probe's RTO, the model 90 ms
            // earlier). A probe cut from the tail of a longer flight leaves the head's time as it was (30000435).
            if (s.Flight.Count == 1) s.FirstUnackedSentAt = Now;
            Count(Mib.TCPLossProbes);
        }

        ResetRetransmitTimer(s, RetransmitKind.Rto, new SimDuration(ClampRtoToUserTimeout(s)));
    }

    /// <summary>tcp_output.c:tcp_send_loss_probe, once a probe is out: tlp_high_seq = snd_nxt, tlp_retrans as sent.</summary>
    private static void OpenTlpEpisode(TcpSocket s, bool retransmitted)
    {
        s.TlpOutstanding = true;
        s.TlpHighSeq = s.SndNxt;
        s.TlpRetrans = retransmitted;
    }

    /// <summary>
    /// tcp_input.c:tcp_process_tlp_ack: which ACK ends a probe's episode. One below tlp_high_seq never does; at or beyond
    /// it, an ACK ends it when the probe sent new data, when it acknowledges beyond tlp_high_seq (a loss: the kernel also
    /// reduces cwnd, not modelled), or when it is a pure duplicate (no data, no window update, snd_una unmoved: the
    /// original and the probe both arrived; Linux sees the DSACK too). An ACK of exactly tlp_high_seq after a probe that
    /// re-sent data leaves the episode open — it may acknowledge the original or the probe — until the next RTO
    /// (tcp_enter_loss), and meanwhile tcp_send_loss_probe sends no probe (fuzz seed 32100221: the model probed a later
    /// loss, and Linux went straight to the RTO).
    /// </summary>
    private static void ProcessTlpAck(TcpSocket s, in Segment seg, bool advanced)
    {
        if (!s.TlpOutstanding || Seq.Before(seg.Ack, s.TlpHighSeq)) return;
        bool pureDup = !advanced && seg.Length == 0 && !seg.Fin && seg.Window == s.SndWnd;
        if (!s.TlpRetrans || Seq.After(seg.Ack, s.TlpHighSeq) || pureDup) s.TlpOutstanding = false;
    }

    /// <summary>
    /// tcp_timer.c:tcp_retransmit_timer: count the timeout, give up if tcp_write_timeout says so, else
    /// retransmit the head (collapsed with what follows, tcp_retrans_try_collapse), back off and re-arm.
    /// </summary>
    private void RetransmitTimer(TcpSocket s)
    {
        if (s.Flight.Count == 0) return;
        Count(Mib.TCPTimeouts);
        if (WriteTimeout(s)) return;

        s.InLossRecovery = true;
        s.TlpOutstanding = false; // tcp_input.c:tcp_enter_loss ends a probe's episode
        s.Cwnd = 1;
        s.Retransmits++;
        s.TotalRto++;
        RetransmitHead(s);
        if (s.RetransStamp == SimTime.Never) s.RetransStamp = Now;

        // SYN_SENT keeps a linear 1 s timeout for the first tcp_syn_linear_timeouts (4) retransmissions.
        if (s.State != TcpState.SynSent || s.TotalRto > 4)
        {
            s.Backoff++;
            s.RtoUs = Math.Min(s.RtoUs << 1, RtoMaxUs);
        }

        ResetRetransmitTimer(s, RetransmitKind.Rto, new SimDuration(ClampRtoToUserTimeout(s)));
    }

    /// <summary>
    /// Re-sends from snd_una up to one MSS, the FIN included when it fits (tcp_retransmit_skb). PSH only when a
    /// segment it carries was sent with PSH: tcp_fragment cuts the MSS from the front of the head skb and leaves
    /// PSH on the rest (fuzz seed 30000016: 1500 bytes lost, re-sent as [.] 1448), while
    /// tcp_retrans_try_collapse ORs the flags of the skbs it merges.
    /// </summary>
    private void RetransmitHead(TcpSocket s)
    {
        Count(Mib.RetransSegs);
        s.FlightRetransmitted = true;
        if (s.State == TcpState.SynSent)
        {
            SendSegment(s, s.Iss, TcpFlags.Syn, 0);
            return;
        }

        uint seq = s.SndUna;
        int len = 0;
        bool fin = false, push = false;
        foreach (var seg in s.Flight)
        {
            if (seg.Length > 0 && len + seg.Length > s.Mss && len > 0) break;
            len += seg.Length;
            if (seg.Fin) fin = true;
            if (seg.Push) push = true;
        }

        // Part of the head may already be acknowledged.
        int acked = Seq.Diff(s.Flight[0].Seq, s.SndUna);
        len = Math.Max(0, len - Math.Max(0, acked));
        TcpFlags flags = TcpFlags.Ack | (len > 0 && push ? TcpFlags.Psh : 0) | (fin ? TcpFlags.Fin : 0);
        SendSegment(s, seq, flags, len);
    }

    /// <summary>
    /// tcp_timer.c:tcp_write_timeout. SYN states give up by count; others by the time model of
    /// tcp_model_timeout from retrans_stamp (tcp_retries2, or tcp_orphan_retries for orphans, or
    /// TCP_USER_TIMEOUT). Orphans first face tcp_out_of_resources. Returns true when the socket died.
    /// </summary>
    private bool WriteTimeout(TcpSocket s)
    {
        bool expired;
        if (s.State is TcpState.SynSent or TcpState.SynRecv)
        {
            // SYN states give up by count — tcp_syn_retries plus, in SYN_SENT, the tcp_syn_linear_timeouts (4)
            // retransmissions kept at 1 s (6.5+) — or, whichever comes first, by the time tcp_syn_retries
            // backed-off timeouts from TCP_TIMEOUT_INIT take (retransmits_timed_out, boundary tcp_syn_retries).
            // With tcp_syn_retries = 2 the time wins: 7 s, after 5 retransmissions, not 6 (seen on 6.18,
            // timers/syn-retries-connect-timeout.scn).
            int retryUntil = Settings.TcpSynRetries;
            int max = retryUntil + (s.State == TcpState.SynSent ? 4 : 0);
            expired = s.Retransmits >= max || RetransmitsTimedOut(s, retryUntil, s.UserTimeoutMs, TimeoutInitUs);
        }
        else
        {
            int retryUntil = Settings.TcpRetries2;
            if (s.IsOrphan)
            {
                bool alive = TcpTimeouts.OrphanAlive(s.RtoUs);
                retryUntil = OrphanRetries(s, alive);
                bool doReset = alive || !RetransmitsTimedOut(s, retryUntil, 0, RtoMinUs);
                if (OutOfResources(s, doReset)) return true;
            }

            expired = RetransmitsTimedOut(s, retryUntil, s.UserTimeoutMs, RtoMinUs);
        }

        if (!expired) return false;
        WriteError(s);
        return true;
    }

    /// <summary>tcp_timer.c:tcp_orphan_retries for this socket (<see cref="TcpTimeouts.OrphanRetries"/>).</summary>
    private int OrphanRetries(TcpSocket s, bool alive) => TcpTimeouts.OrphanRetries(Settings.TcpOrphanRetries, alive, s.ErrSoft != Errno.None);

    /// <summary>
    /// tcp_timer.c:retransmits_timed_out with tcp_model_timeout: expired once now − retrans_stamp reaches
    /// the user timeout, or the time (2^(N+1) − 1)·base (linear past 120 s) that N backed-off RTOs take.
    /// </summary>
    private bool RetransmitsTimedOut(TcpSocket s, int boundary, int userTimeoutMs, long rtoBaseUs)
    {
        if (s.Retransmits == 0 || s.RetransStamp == SimTime.Never) return false;
        long timeoutUs = userTimeoutMs > 0 ? userTimeoutMs * 1000L : TcpTimeouts.ModelTimeoutUs(boundary, rtoBaseUs);
        return (Now - s.RetransStamp).Microseconds >= timeoutUs;
    }

    /// <summary>
    /// tcp_timer.c:tcp_out_of_resources: too many orphans ends an orphan, with an active RST when
    /// <paramref name="doReset"/> or the last send was recent. Counts TCPAbortOnMemory.
    /// </summary>
    private bool OutOfResources(TcpSocket s, bool doReset)
    {
        int shift = 0;
        if ((Now - s.LastSentAt).Microseconds > 2 * RtoMaxUs || !doReset) shift++;
        if (s.ErrSoft != Errno.None) shift++;
        if (OrphanCount << shift <= Settings.TcpMaxOrphans) return false;
        if ((Now - s.LastSentAt).Microseconds < TimewaitLen.Microseconds || doReset) SendActiveReset(s);
        TcpDone(s, Causes.TooManyOrphans);
        Count(Mib.TCPAbortOnMemory);
        return true;
    }

    /// <summary>tcp_timer.c:tcp_write_err: sk_err = sk_err_soft ?: ETIMEDOUT, silently (no RST); TCPAbortOnTimeout.</summary>
    private void WriteError(TcpSocket s)
    {
        Cause cause = s.State is TcpState.SynSent ? Causes.SynGiveUp : Causes.RetransmitGiveUp;
        DoneWithError(s, s.ErrSoft != Errno.None ? s.ErrSoft : Errno.ETIMEDOUT, cause);
        Count(Mib.TCPAbortOnTimeout);
    }

    // ---------------------------------------------------------------- SYN-ACK of a request socket

    /// <summary>inet_connection_sock.c:reqsk_timer_handler: resend the SYN-ACK with backoff, drop after tcp_synack_retries.</summary>
    private void SynAckTimer(TcpSocket req)
    {
        // tcp_timer.c:tcp_syn_ack_timeout counts every expiry of a request's timer as TCPTimeouts.
        Count(Mib.TCPTimeouts);
        if (req.SynAckRetries >= Settings.TcpSynackRetries)
        {
            DropRequest(req, Causes.SynAckGiveUp);
            return;
        }

        req.SynAckRetries++;
        Count(Mib.RetransSegs);
        req.FlightRetransmitted = true;
        SendSegment(req, req.Iss, TcpFlags.Syn | TcpFlags.Ack, 0);
        ResetRetransmitTimer(req, RetransmitKind.Rto, new SimDuration(Math.Min(TimeoutInitUs << req.SynAckRetries, RtoMaxUs)));
    }

    // ---------------------------------------------------------------- delayed ACK

    /// <summary>
    /// Schedules a delayed ACK (tcp_output.c:tcp_send_delayed_ack): ato bounded by the RTT and by
    /// TCP_DELACK_MAX in pingpong mode. An ato of 0 (no data ever received) arms the timer for the current jiffy,
    /// which the wheel runs at the next tick (timer.c:calc_index): 0–4 ms later at HZ 250.
    /// </summary>
    internal void SendDelayedAck(TcpSocket s)
    {
        long ato = s.AtoUs;
        if (ato > AtoMinUs)
        {
            long maxAto = s.PingPong ? DelackMaxUs : 500_000;
            if (s.SrttUs8 != 0) maxAto = Math.Min(maxAto, Math.Max(RoundUpToJiffies(s.SrttUs8 >> 3), AtoMinUs));
            ato = Math.Min(ato, maxAto);
        }

        ato = Math.Min(ato, DelackMaxUs);
        SimTime timeout = Now + new SimDuration(ato);
        ref TimerSlot slot = ref s.Timers[(int)Slot.DelayedAck];
        if (slot.Armed)
        {
            // If the pending delayed ACK is about to fire, send now; never postpone an earlier one.
            if (slot.Deadline <= Now + new SimDuration(ato >> 2))
            {
                SendAck(s);
                return;
            }

            if (slot.Deadline < timeout) timeout = slot.Deadline;
        }

        s.AckPending = true;
        ArmTimer(s, Slot.DelayedAck, timeout - Now);
    }

    /// <summary>tcp_timer.c:tcp_delack_timer_handler: a missed delayed ACK inflates ato, or leaves pingpong mode.</summary>
    private void DelayedAckTimer(TcpSocket s)
    {
        if (!s.AckPending || s.State is TcpState.Close or TcpState.Listen) return;
        if (!s.PingPong)
        {
            s.AtoUs = Math.Min(s.AtoUs << 1, s.RtoUs);
        }
        else
        {
            s.PingPong = false;
            s.AtoUs = AtoMinUs;
        }

        Count(Mib.DelayedACKs);
        SendAck(s);
    }

    // ---------------------------------------------------------------- keepalive and orphan FIN_WAIT2

    internal SimDuration KeepaliveTime(TcpSocket s) => SimDuration.FromSeconds(s.KeepIdle != 0 ? s.KeepIdle : Settings.TcpKeepaliveTime);

    internal SimDuration KeepaliveInterval(TcpSocket s) => SimDuration.FromSeconds(s.KeepIntvl != 0 ? s.KeepIntvl : Settings.TcpKeepaliveIntvl);

    internal int KeepaliveProbes(TcpSocket s) => s.KeepCnt != 0 ? s.KeepCnt : Settings.TcpKeepaliveProbes;

    /// <summary>tcp.h:keepalive_time_elapsed: idle time since the last data or ACK received.</summary>
    internal SimDuration KeepaliveElapsed(TcpSocket s)
    {
        SimDuration sinceData = Now - s.LastDataReceived;
        SimDuration sinceAck = Now - s.RcvTstamp;
        return SimDuration.Min(sinceData, sinceAck);
    }

    /// <summary>
    /// tcp_timer.c:tcp_keepalive_timer. For an orphan in FIN_WAIT2 this is the FIN_WAIT2 timer: hand over to
    /// a timewait socket for the rest of tcp_fin_time − 60 s, or reset. Otherwise keepalive proper: probe
    /// after the idle time, abort with an active RST and ETIMEDOUT after the probes (or the user timeout).
    /// </summary>
    private void KeepaliveTimer(TcpSocket s)
    {
        if (s.State == TcpState.Listen) return;
        if (s.State == TcpState.FinWait2 && s.IsOrphan)
        {
            if (s.Linger2 >= 0)
            {
                SimDuration tmo = TcpTimeouts.BeyondTimewaitLen(FinTime(s));
                if (tmo > SimDuration.Zero)
                {
                    TimeWait(s, TcpState.FinWait2, tmo, Causes.FinWait2KeepaliveExpired);
                    return;
                }
            }

            SendActiveReset(s);
            TcpDone(s, Causes.FinWait2KeepaliveReset);
            return;
        }

        if (!s.KeepaliveEnabled || s.State is TcpState.Close or TcpState.SynSent) return;

        SimDuration next;
        if (s.Flight.Count > 0 || s.Unsent > 0)
        {
            // "It is alive without keepalive": data in flight or queued.
            next = KeepaliveTime(s);
        }
        else
        {
            SimDuration elapsed = KeepaliveElapsed(s);
            if (elapsed >= KeepaliveTime(s))
            {
                bool userTimedOut = s.UserTimeoutMs != 0 && elapsed.Microseconds >= s.UserTimeoutMs * 1000L && s.ProbesOut > 0;
                if (userTimedOut || (s.UserTimeoutMs == 0 && s.ProbesOut >= KeepaliveProbes(s)))
                {
                    SendActiveReset(s);
                    DoneWithError(s, s.ErrSoft != Errno.None ? s.ErrSoft : Errno.ETIMEDOUT, Causes.KeepaliveGiveUp);
                    Count(Mib.TCPAbortOnTimeout);
                    return;
                }

                // tcp_output.c:tcp_write_wakeup / tcp_xmit_probe_skb: an ACK with seq = snd_una − 1.
                Count(Mib.TCPKeepAlive);
                SendSegment(s, Seq.Add(s.SndUna, -1), TcpFlags.Ack, 0);
                s.ProbesOut++;
                next = KeepaliveInterval(s);
            }
            else
            {
                next = KeepaliveTime(s) - elapsed;
            }
        }

        ArmTimer(s, Slot.Keepalive, next);
    }

    /// <summary>Arms the keepalive timer as tcp_set_keepalive / setsockopt(TCP_KEEPIDLE) do.</summary>
    internal void ResetKeepalive(TcpSocket s)
    {
        if (!s.KeepaliveEnabled || s.State is TcpState.Close or TcpState.Listen) return;
        SimDuration elapsed = KeepaliveElapsed(s);
        SimDuration t = KeepaliveTime(s);
        ArmTimer(s, Slot.Keepalive, t > elapsed ? t - elapsed : SimDuration.Zero);
    }
}
