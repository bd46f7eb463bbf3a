using Teardown.Model.Rules;
using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>Segment input: demultiplexing, LISTEN and SYN_SENT, and the per-state receive pipeline (tcp_ipv4.c, tcp_input.c).</summary>
public sealed partial class Host
{
    /// <summary>
    /// tcp_ipv4.c:tcp_v4_rcv: find the socket for the segment — an established/timewait entry by 4-tuple, else a
    /// listener by port — and hand it on. A segment for no socket gets a reply RST (unless it is a RST).
    /// </summary>
    internal void Receive(in Segment seg)
    {
        Count(Mib.InSegs);
        FourTuple tuple = seg.ReceiverTuple;
        switch (Lookup(tuple))
        {
            case TimewaitSocket tw:
                TimewaitStateProcess(tw, seg);
                return;
            case TcpSocket { State: TcpState.SynRecv, NotYetAccepted: true } req:
                CheckRequest(req, seg);
                return;
            case TcpSocket { State: TcpState.SynSent } s:
                SynSentStateProcess(s, seg);
                return;
            case TcpSocket s:
                if (RcvStateProcess(s, seg)) SendReplyReset(seg);
                return;
        }

        if (seg.DstAddr == Address && Listener(seg.DstPort) is { } listener)
        {
            ListenStateProcess(listener, seg);
            return;
        }

        SendReplyReset(seg);
    }

    // ---------------------------------------------------------------- LISTEN and request sockets

    /// <summary>
    /// tcp_input.c:tcp_rcv_state_process (LISTEN) and tcp_conn_request: an ACK for no request gets a reply RST,
    /// a RST is ignored, a SYN makes a request socket (shown as SYN_RECV) that answers SYN-ACK.
    /// </summary>
    private void ListenStateProcess(TcpSocket listener, in Segment seg, uint? isn = null)
    {
        if (seg.Rst) return;
        if (seg.HasAck)
        {
            SendReplyReset(seg);
            return;
        }

        if (!seg.Syn) return;
        if (listener.AcceptQueue!.Count > listener.Backlog)
        {
            // inet_csk_reqsk_queue_is_full / sk_acceptq_is_full: the SYN is dropped.
            Count(Mib.ListenOverflows);
            Count(Mib.ListenDrops);
            return;
        }

        var req = new TcpSocket(this, seg.ReceiverTuple)
        {
            NotYetAccepted = true,
            Parent = listener,
            Mss = MssFor(seg.SrcAddr),
            Iss = isn ?? NewIsn(),
            Irs = seg.Seq,
            RcvNxt = Seq.Add(seg.Seq, 1),
            RtoUs = TimeoutInitUs,
            TsRecent = seg.TsVal,
            SndWnd = seg.Window,
        };
        req.CopiedSeq = req.RcvNxt;
        req.RcvWup = req.RcvNxt;
        req.SndUna = req.Iss;
        req.SndNxt = Seq.Add(req.Iss, 1);
        req.SndSml = req.SndNxt; // tcp_minisocks.c:tcp_create_openreq_child: snd_sml = snt_isn + 1
        req.WriteSeq = req.SndNxt;
        req.State = TcpState.SynRecv;
        req.RcvTstamp = Now;
        req.LastDataReceived = Now;
        CopyListenerOptions(listener, req);
        Hash(req);
        NotifyEnd(req.Tuple, Causes.SynReceived);
        req.FirstUnackedSentAt = Now;
        SendSegment(req, req.Iss, TcpFlags.Syn | TcpFlags.Ack, 0);
        ResetRetransmitTimer(req, RetransmitKind.Rto, new SimDuration(TimeoutInitUs));
    }

    private static void CopyListenerOptions(TcpSocket listener, TcpSocket child)
    {
        // Children inherit socket options from the listener (inet_csk_clone_lock copies the sock).
        child.Linger = listener.Linger;
        child.LingerSeconds = listener.LingerSeconds;
        child.Linger2 = listener.Linger2;
        child.KeepaliveEnabled = listener.KeepaliveEnabled;
        child.KeepIdle = listener.KeepIdle;
        child.KeepIntvl = listener.KeepIntvl;
        child.KeepCnt = listener.KeepCnt;
        child.UserTimeoutMs = listener.UserTimeoutMs;
    }

    /// <summary>
    /// tcp_minisocks.c:tcp_check_req: a retransmitted SYN gets the SYN-ACK again; a RST drops the request; the ACK
    /// of our SYN-ACK creates the ESTABLISHED child, queues it for accept(), and the rest of the segment (data,
    /// FIN) is processed by the child (tcp_child_process).
    /// </summary>
    private void CheckRequest(TcpSocket req, in Segment seg)
    {
        if (seg.Syn && !seg.Rst && seg.Seq == req.Irs)
        {
            // At most once per tcp_invalid_ratelimit (tcp_oow_rate_limited on the request's last_oow_ack_time), as a
            // retransmission (tcp_output.c:tcp_rtx_synack counts RetransSegs; num_retrans > 0 then takes no RTT
            // sample), and the request's timer restarts from now with the backoff its own expiries built
            // (mod_timer_pending, reqsk_timeout): a client that keeps retransmitting its SYN keeps pushing the
            // server's SYN-ACK timer away (fuzz seed 30000100).
            if (RateLimited(ref req.LastOowAckTime, Mib.TCPACKSkippedSynRecv)) return;
            Count(Mib.RetransSegs);
            req.FlightRetransmitted = true;
            SendSegment(req, req.Iss, TcpFlags.Syn | TcpFlags.Ack, 0);
            ResetRetransmitTimer(req, RetransmitKind.Rto, new SimDuration(Math.Min(TimeoutInitUs << req.SynAckRetries, RtoMaxUs)));
            return;
        }

        if (seg.Rst)
        {
            if (Seq.InRange(seg.Seq, req.RcvNxt, Seq.Add(req.RcvNxt, Math.Max(1, req.RcvSpace))))
            {
                // tcp_minisocks.c:tcp_check_req, embryonic_reset: the request is dropped, AttemptFails counted.
                Count(Mib.AttemptFails);
                DropRequest(req, Causes.ResetReceived);
            }
            return;
        }

        if (!seg.HasAck) return;
        if (seg.Ack != req.SndNxt)
        {
            SendReplyReset(seg);
            return;
        }

        TcpSocket listener = req.Parent!;
        if (listener.Freed || listener.AcceptQueue!.Count >= listener.Backlog + 1)
        {
            // Accept queue full: the ACK is dropped; the client already believes it is connected.
            Count(Mib.ListenOverflows);
            Count(Mib.ListenDrops);
            return;
        }

        CancelRetransmit(req);
        req.SndUna = seg.Ack;
        req.SndWnd = seg.Window;
        req.RcvTstamp = Now;
        if (!req.FlightRetransmitted) RttSample(req, (Now - req.FirstUnackedSentAt).Microseconds);
        else req.RtoUs = TimeoutInitUs;
        Count(Mib.PassiveOpens);
        SetState(req, TcpState.Established, Causes.HandshakeAck);
        InitPacingRate(req); // tcp_input.c:tcp_init_transfer → tcp_init_congestion_control → bbr_init
        listener.AcceptQueue.Enqueue(req);
        if (req.KeepaliveEnabled) ResetKeepalive(req);
        if (seg.Length > 0 || seg.Fin) RcvStateProcess(req, seg);
    }

    // ---------------------------------------------------------------- SYN_SENT

    /// <summary>
    /// tcp_input.c:tcp_rcv_synsent_state_process: an unacceptable ACK gets a reply RST; a RST with a good ACK
    /// refuses the connection (ECONNREFUSED); a SYN-ACK establishes it and is ACKed at once.
    /// </summary>
    private void SynSentStateProcess(TcpSocket s, in Segment seg)
    {
        if (seg.HasAck && (Seq.BeforeOrEqual(seg.Ack, s.Iss) || Seq.After(seg.Ack, s.SndNxt)))
        {
            if (!seg.Rst) SendReplyReset(seg);
            return;
        }

        if (seg.Rst)
        {
            if (seg.HasAck) Reset(s, Causes.ResetReceived);
            return;
        }

        if (!seg.Syn || !seg.HasAck) return;

        s.Irs = seg.Seq;
        s.RcvNxt = Seq.Add(seg.Seq, 1);
        s.CopiedSeq = s.RcvNxt;
        s.RcvWup = s.RcvNxt;
        s.SndUna = seg.Ack;
        s.SndWnd = seg.Window;
        s.TsRecent = seg.TsVal;
        s.RcvTstamp = Now;
        s.LastDataReceived = Now;
        s.Flight.Clear();
        CancelRetransmit(s);
        if (!s.FlightRetransmitted) RttSample(s, (Now - s.FirstUnackedSentAt).Microseconds);
        else s.RtoUs = TimeoutInitUs;
        s.Retransmits = 0;
        s.RetransStamp = SimTime.Never;
        SetState(s, TcpState.Established, Causes.SynAckReceived);
        InitPacingRate(s); // tcp_input.c:tcp_init_transfer → tcp_init_congestion_control → bbr_init
        if (s.KeepaliveEnabled) ResetKeepalive(s);
        SendAck(s);
        WakeWaiter(s);
    }

    // ---------------------------------------------------------------- the receive pipeline

    /// <summary>
    /// tcp_input.c:tcp_rcv_state_process (and tcp_rcv_established's slow path) for every synchronized state.
    /// Returns true when the caller must answer with a reply RST (tcp_v4_do_rcv).
    /// </summary>
    private bool RcvStateProcess(TcpSocket s, in Segment seg)
    {
        // 1. A segment with none of ACK, RST, SYN is dropped (a bare FIN included).
        if (!seg.HasAck && !seg.Rst && !seg.Syn) return false;

        // 2. PAWS (tcp_input.c:tcp_paws_discard, TCP_PAWS_WINDOW 1): an old timestamp on a non-RST segment
        //    gets a rate-limited dup ACK and is dropped; a RST passes.
        if (!seg.Rst && seg.TsVal != 0 && s.TsRecent != 0 && unchecked((int)(s.TsRecent - seg.TsVal)) > 1)
        {
            if (seg.Syn)
            {
                Count(Mib.TCPSYNChallenge);
                SendChallengeAck(s);
                return false;
            }

            Count(Mib.PAWSEstab);
            if (!OowRateLimited(s, seg, Mib.TCPACKSkippedPAWS)) SendAck(s);
            return false;
        }

        // 3. tcp_validate_incoming: the sequence check.
        if (!SequenceAcceptable(s, seg))
        {
            if (seg.Rst)
            {
                if (ResetCheck(s, seg)) Reset(s, Causes.ResetReceived);
                return false;
            }

            if (seg.Syn)
            {
                Count(Mib.TCPSYNChallenge);
                SendChallengeAck(s);
                return false;
            }

            if (!OowRateLimited(s, seg, Mib.TCPACKSkippedSeq)) SendAck(s);
            return false;
        }

        // 4. RST: exact, or rcv_nxt − 1 after a FIN (tcp_reset_check); otherwise a challenge ACK (RFC 5961 §3.2).
        if (seg.Rst)
        {
            if (seg.Seq == s.RcvNxt || ResetCheck(s, seg)) Reset(s, Causes.ResetReceived);
            else SendChallengeAck(s);
            return false;
        }

        // 5. A SYN in a synchronized state never resets the connection: challenge ACK (RFC 5961 §4).
        if (seg.Syn)
        {
            Count(Mib.TCPSYNChallenge);
            SendChallengeAck(s);
            return false;
        }

        // tcp_replace_ts_recent: remember the peer's timestamp for segments at or before rcv_wup.
        if (seg.TsVal != 0 && !Seq.After(seg.Seq, s.RcvWup)) s.TsRecent = seg.TsVal;

        // 6. The ACK field (tcp_ack).
        if (Seq.After(seg.Ack, s.SndNxt))
        {
            // Acknowledges data never sent: ESTABLISHED drops it, the other states answer a challenge ACK.
            if (s.State != TcpState.Established) SendChallengeAck(s);
            return false;
        }

        if (Seq.Before(seg.Ack, Seq.Add(s.SndUna, -Math.Max(s.SndWnd, 65535u))))
        {
            SendChallengeAck(s);
            return false;
        }

        ProcessAck(s, seg);

        // 7. State step for the ACK (FIN_WAIT1, CLOSING, LAST_ACK).
        bool ourFinAcked = s.FinQueued && s.SndUna == s.WriteSeq;
        switch (s.State)
        {
            case TcpState.FinWait1 when ourFinAcked:
                SetState(s, TcpState.FinWait2, Causes.AckOfFin);
                s.Shutdown |= ShutdownFlags.Send;
                if (!s.IsOrphan)
                {
                    // An attached FIN_WAIT2 has no timer at all. A lingering close() is woken once this
                    // segment is fully processed (it runs in process context after softirq), below.
                    break;
                }

                if (s.Linger2 < 0)
                {
                    TcpDone(s, Causes.Linger2AtAck);
                    Count(Mib.TCPAbortOnData);
                    return true;
                }

                if (s.Linger2 >= 0 && seg.EndSeq != seg.Seq && Seq.After(Seq.Add(seg.EndSeq, seg.Fin ? -1 : 0), s.RcvNxt))
                {
                    // New data, or an out-of-order FIN, after close(): abort.
                    TcpDone(s, Causes.AbortOnData);
                    Count(Mib.TCPAbortOnData);
                    return true;
                }

                SimDuration tmo = FinTime(s);
                SimDuration keepaliveStage = TcpTimeouts.BeyondTimewaitLen(tmo);
                if (keepaliveStage > SimDuration.Zero)
                {
                    ArmTimer(s, Slot.Keepalive, keepaliveStage);
                    NotifyEnd(s.Tuple, Causes.OrphanFinWait2Keepalive);
                }
                else if (seg.Fin)
                {
                    // "Bad case": keep the full socket so the FIN processed below is not lost.
                    ArmTimer(s, Slot.Keepalive, tmo);
                }
                else
                {
                    TimeWait(s, TcpState.FinWait2, tmo, Causes.OrphanFinWait2ToTimewait);
                    return false;
                }

                break;
            case TcpState.Closing when ourFinAcked:
                TimeWait(s, TcpState.TimeWait, SimDuration.Zero, Causes.EnterTimeWait);
                return false;
            case TcpState.LastAck when ourFinAcked:
                TcpDone(s, Causes.AckOfFinLastAck);
                return false;
        }

        // 8. Text and FIN.
        bool hasText = seg.Length > 0 || seg.Fin;
        if (hasText)
        {
            switch (s.State)
            {
                case TcpState.CloseWait or TcpState.Closing or TcpState.LastAck when Seq.AfterOrEqual(seg.Seq, s.RcvNxt):
                    // Beyond the peer's FIN: dropped with no ACK and no RST.
                    break;
                case TcpState.CloseWait or TcpState.Closing or TcpState.LastAck or TcpState.FinWait1 or TcpState.FinWait2:
                    if ((s.Shutdown & ShutdownFlags.Receive) != 0 && seg.EndSeq != seg.Seq &&
                        Seq.After(Seq.Add(seg.EndSeq, seg.Fin ? -1 : 0), s.RcvNxt))
                    {
                        // RFC 1122: data after our receive side is shut down resets the connection.
                        Count(Mib.TCPAbortOnData);
                        Reset(s, Causes.AbortOnData);
                        return true;
                    }

                    DataQueue(s, seg);
                    break;
                case TcpState.Established:
                    DataQueue(s, seg);
                    break;
            }
        }

        // 9. Push pending data and send an ACK if one is due.
        if (s.State != TcpState.Close && !s.Freed)
        {
            if (s.Unsent > 0) WriteXmit(s, nagleOff: false);
            AckSndCheck(s);
        }

        if (s.Waiter is not null) WakeWaiter(s);
        return false;
    }

    /// <summary>tcp_input.c:tcp_sequence: end_seq ≥ rcv_wup and seq ≤ rcv_nxt + window.</summary>
    private static bool SequenceAcceptable(TcpSocket s, in Segment seg)
    {
        if (Seq.Before(seg.EndSeq, s.RcvWup)) return false;
        uint right = Seq.Add(s.RcvNxt, Math.Max(AdvertisedWindow(s), 1u));
        return !Seq.After(seg.Seq, right);
    }

    /// <summary>tcp_input.c:tcp_reset_check: a RST at rcv_nxt − 1 is accepted after the peer's FIN.</summary>
    private static bool ResetCheck(TcpSocket s, in Segment seg) =>
        seg.Seq == Seq.Add(s.RcvNxt, -1) && s.State is TcpState.CloseWait or TcpState.LastAck or TcpState.Closing;

    /// <summary>
    /// tcp_input.c:tcp_oow_rate_limited: zero-length (or SYN) out-of-window segments get at most one dup ACK per
    /// tcp_invalid_ratelimit ms; data segments are never limited.
    /// </summary>
    private bool OowRateLimited(TcpSocket s, in Segment seg, Mib skippedCounter)
    {
        if (seg.EndSeq != seg.Seq && !seg.Syn) return false;
        return RateLimited(ref s.LastOowAckTime, skippedCounter);
    }

    /// <summary>tcp_input.c:__tcp_oow_rate_limited over a per-socket last-ACK time.</summary>
    private bool RateLimited(ref SimTime last, Mib skippedCounter)
    {
        if (last != SimTime.Never)
        {
            long elapsedMs = (Now - last).Microseconds / 1000;
            if (elapsedMs >= 0 && elapsedMs < Settings.TcpInvalidRatelimit)
            {
                Count(skippedCounter);
                return true;
            }
        }

        last = Now;
        return false;
    }

    /// <summary>tcp_input.c:tcp_send_challenge_ack: rate-limited like dup ACKs, counts TCPChallengeACK.</summary>
    private void SendChallengeAck(TcpSocket s)
    {
        if (RateLimited(ref s.LastOowAckTime, Mib.TCPACKSkippedChallenge)) return;
        Count(Mib.TCPChallengeACK);
        SendAck(s);
    }

    /// <summary>
    /// tcp_input.c:tcp_ack and tcp_clean_rtx_queue for an acceptable ACK: advance snd_una, drop acknowledged
    /// segments, take an RTT sample, reset retransmission state, re-arm or stop the retransmit timer.
    /// </summary>
    private void ProcessAck(TcpSocket s, in Segment seg)
    {
        if (seg.Window > 0 && s.RetransmitPending == RetransmitKind.Probe0)
        {
            // tcp_ack_probe: the window opened; stop probing, the data goes out below (tcp_data_snd_check).
            CancelRetransmit(s);
            s.Backoff = 0;
            s.ProbesStarted = SimTime.Never;
        }

        bool advanced = Seq.After(seg.Ack, s.SndUna);
        ProcessTlpAck(s, seg, advanced); // before the window is taken: a pure duplicate leaves it unchanged
        s.SndWnd = seg.Window;
        s.RcvTstamp = Now;
        s.ErrSoft = Errno.None;
        s.ProbesOut = 0;
        if (!advanced) return;

        s.SndUna = seg.Ack;
        while (s.Flight.Count > 0 && Seq.BeforeOrEqual(s.Flight[0].EndSeq, s.SndUna)) s.Flight.RemoveAt(0);
        // tcp_input.c:tcp_ack_update_rtt: a never-retransmitted flight is timed from its send; after a
        // retransmission (Karn) only the echoed timestamp gives a sample, in whole milliseconds. Without one
        // the RTO keeps its backoff.
        if (!s.FlightRetransmitted)
        {
            RttSample(s, (Now - s.FirstUnackedSentAt).Microseconds);
        }
        else if (seg.TsEcr != 0)
        {
            RttSample(s, Math.Max(1, unchecked((int)(TsNow - seg.TsEcr))) * 1000L);
        }

        s.Retransmits = 0;
        s.RetransStamp = SimTime.Never;
        if (s.Flight.Count == 0)
        {
            s.InLossRecovery = false;
            s.FlightRetransmitted = false;
            s.FirstUnackedSentAt = SimTime.Never;
            CancelRetransmit(s);
        }
        else
        {
            s.FirstUnackedSentAt = Now;
            if (!ScheduleLossProbe(s, advancingRto: true)) RearmRto(s);
        }

        // Slow start after loss recovery: one more segment per ACK.
        if (s.Cwnd < 10) s.Cwnd++;
        if (s.Waiter?.Kind == BlockingCall.Close) WakeWaiter(s);
    }

    /// <summary>
    /// tcp_input.c:tcp_data_queue for in-order text: queue the payload, run the delayed-ACK engine
    /// (tcp_event_data_recv), and process a FIN (tcp_fin). Old data forces an immediate dup ACK; out-of-order
    /// data is not kept by the model (a dup ACK asks for it again).
    /// </summary>
    private void DataQueue(TcpSocket s, in Segment seg)
    {
        if (seg.Length == 0 && !seg.Fin) return;
        if (!Seq.After(seg.EndSeq, s.RcvNxt))
        {
            // A retransmission (e.g. of the FIN): quick-ACK mode and an immediate dup ACK with DSACK.
            EnterQuickAck(s);
            SendAck(s);
            return;
        }

        if (Seq.After(seg.Seq, s.RcvNxt))
        {
            // Out of order: kept until the hole fills (tcp_data_queue_ofo), with an immediate dup ACK.
            s.OutOfOrder ??= new List<SentSegment>(2);
            var piece = new SentSegment(seg.Seq, seg.Length, seg.Fin);
            if (!s.OutOfOrder.Contains(piece)) s.OutOfOrder.Add(piece);
            SendAck(s);
            return;
        }

        Accept(s, seg.Seq, seg.Length, seg.Fin);

        // tcp_ofo_queue: what was waiting behind the hole is now in order.
        while (s.OutOfOrder is { Count: > 0 } ofo && !s.Done)
        {
            int i = ofo.FindIndex(p => !Seq.After(p.Seq, s.RcvNxt));
            if (i < 0) break;
            SentSegment p = ofo[i];
            ofo.RemoveAt(i);
            if (Seq.After(p.EndSeq, s.RcvNxt)) Accept(s, p.Seq, p.Length, p.Fin);
        }
    }

    /// <summary>Takes in-order text starting at or before rcv_nxt: the new payload, then the FIN.</summary>
    private void Accept(TcpSocket s, uint seq, int length, bool fin)
    {
        int newBytes = length - Seq.Diff(seq, s.RcvNxt);
        if (newBytes > 0)
        {
            s.RcvNxt = Seq.Add(s.RcvNxt, newBytes);
            EventDataRecv(s);
        }

        if (fin)
        {
            // The FIN shares an skb with data the application has not read yet: it came in the same segment,
            // or it came alone and tcp_input.c:tcp_queue_rcv coalesced it into the receive queue's tail skb
            // (tcp_try_coalesce ORs its flags in). Either way, a read that empties the queue passes the FIN
            // (tcp.c:tcp_recvmsg_locked, found_fin_ok) and Recv-Q drops to 0 (fuzz seed 4).
            s.FinWithData = newBytes > 0 || s.UnreadBytes > 0;
            Fin(s);
        }
    }

    /// <summary>tcp_input.c:tcp_event_data_recv: the delayed-ACK engine's bookkeeping on new data.</summary>
    private void EventDataRecv(TcpSocket s)
    {
        s.AckPending = true;
        if (s.AtoUs == 0)
        {
            // The first data segment: quick-ACK the next ones (tcp_incr_quickack with TCP_MAX_QUICKACKS).
            IncrQuickAck(s);
            s.AtoUs = AtoMinUs;
        }
        else
        {
            long m = (Now - s.LastDataReceived).Microseconds;
            if (m <= AtoMinUs / 2)
            {
                s.AtoUs = (s.AtoUs >> 1) + (AtoMinUs / 2);
            }
            else if (m < s.AtoUs)
            {
                s.AtoUs = Math.Min((s.AtoUs >> 1) + m, s.RtoUs);
            }
            else if (m > s.RtoUs)
            {
                IncrQuickAck(s);
            }
        }

        s.LastDataReceived = Now;
        s.EverReceivedData = true;
    }

    /// <summary>tcp_input.c:tcp_incr_quickack: rcv_wnd / (2·rcv_mss) ACKs, at least 2, at most 16.</summary>
    private static void IncrQuickAck(TcpSocket s)
    {
        int quick = (int)Math.Clamp(s.RcvSpace / (2 * 536), 2, 16);
        if (quick > s.Quick) s.Quick = quick;
    }

    /// <summary>tcp_input.c:tcp_enter_quickack_mode.</summary>
    private static void EnterQuickAck(TcpSocket s)
    {
        IncrQuickAck(s);
        s.PingPong = false;
        s.AtoUs = AtoMinUs;
        s.AckPending = true;
    }

    /// <summary>
    /// tcp_input.c:tcp_fin. ESTABLISHED → CLOSE_WAIT (delayed ACK, pingpong mode); FIN_WAIT1 → CLOSING with an
    /// immediate ACK; FIN_WAIT2 → TIME_WAIT with an immediate ACK. RCV_SHUTDOWN and SOCK_DONE are set.
    /// </summary>
    private void Fin(TcpSocket s)
    {
        s.OutOfOrder?.Clear();
        s.RcvNxt = Seq.Add(s.RcvNxt, 1);
        s.AckPending = true;
        s.Shutdown |= ShutdownFlags.Receive;
        s.Done = true;
        switch (s.State)
        {
            case TcpState.SynRecv:
            case TcpState.Established:
                SetState(s, TcpState.CloseWait, Causes.FinReceived);
                s.PingPong = true;
                break;
            case TcpState.FinWait1:
                SendAck(s);
                SetState(s, TcpState.Closing, Causes.FinReceived);
                break;
            case TcpState.FinWait2:
                SendAck(s);
                TimeWait(s, TcpState.TimeWait, SimDuration.Zero, Causes.FinReceived);
                return;
        }

        // A lingering close() waits in FIN_WAIT1; it keeps waiting in CLOSING.
    }

    /// <summary>tcp_input.c:__tcp_ack_snd_check: ACK now (quick-ACK mode, more than one full segment) or delay it.</summary>
    private void AckSndCheck(TcpSocket s)
    {
        if (!s.AckPending) return;
        bool quick = s.Quick > 0 && !s.PingPong;
        bool moreThanOneMss = Seq.Diff(s.RcvWup, s.RcvNxt) > s.Mss;
        if (quick || moreThanOneMss)
        {
            SendAck(s);
            return;
        }

        SendDelayedAck(s);
    }

    private int MssFor(uint remote)
    {
        int mtu = remote == Address ? Settings.LoopbackMtu : Settings.LinkMtu;
        // MSS = MTU − 40 (IPv4 + TCP headers) − 12 (the timestamp option carried on every segment).
        return mtu - 40 - 12;
    }
}
