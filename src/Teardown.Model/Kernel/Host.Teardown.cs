using Teardown.Model.Rules;
using Teardown.Model.Simulation;
using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>How connections end: tcp_done, tcp_reset, tcp_time_wait and the timewait socket's death.</summary>
public sealed partial class Host
{
    /// <summary>
    /// tcp.c:tcp_done: SYN states count AttemptFails; the state becomes CLOSE (unhashed); timers stop;
    /// sk_shutdown = SHUTDOWN_MASK; an attached socket is woken (a blocked caller returns), an orphan destroyed.
    /// </summary>
    internal void TcpDone(TcpSocket s, Cause cause)
    {
        if (s.State is TcpState.SynSent or TcpState.SynRecv) Count(Mib.AttemptFails);
        ClearTimers(s);
        s.Shutdown = ShutdownFlags.Both;
        SetState(s, TcpState.Close, cause);
        if (s.NotYetAccepted)
        {
            // A child still in the accept queue stays there in CLOSE: accept() hands it out and the
            // application then sees the error. Unhashed and without a descriptor, nothing shows it now.
            NotifyEnd(s.Tuple, cause);
            return;
        }

        if (s.IsOrphan)
        {
            Destroy(s, cause);
            return;
        }

        WakeWaiter(s);
    }

    /// <summary>tcp_input.c:tcp_done_with_error: record sk_err, purge the write queue, tcp_done.</summary>
    internal void DoneWithError(TcpSocket s, Errno err, Cause cause)
    {
        s.Err = err;
        PurgeWriteQueue(s);
        TcpDone(s, cause);
    }

    /// <summary>
    /// tcp_input.c:tcp_reset. The errno depends on the state: SYN_SENT gives ECONNREFUSED, CLOSE_WAIT gives
    /// EPIPE, CLOSE ignores the reset, every other state gives ECONNRESET. The receive queue survives.
    /// </summary>
    internal void Reset(TcpSocket s, Cause cause)
    {
        Errno err;
        switch (s.State)
        {
            case TcpState.SynSent: err = Errno.ECONNREFUSED; break;
            case TcpState.CloseWait: err = Errno.EPIPE; break;
            case TcpState.Close: return;
            default: err = Errno.ECONNRESET; break;
        }

        DoneWithError(s, err, cause);
    }

    /// <summary>tcp_write_queue_purge: unsent and unacknowledged data is thrown away.</summary>
    internal static void PurgeWriteQueue(TcpSocket s)
    {
        s.Flight.Clear();
        s.TlpOutstanding = false;
        s.Backoff = 0;
    }

    /// <summary>Wakes a blocked connect() or lingering close() on this socket, if its condition now holds.</summary>
    internal void WakeWaiter(TcpSocket s)
    {
        if (s.Waiter is not { } call) return;
        if (call.Kind == BlockingCall.Connect)
        {
            if (s.State == TcpState.Established || s.State == TcpState.CloseWait)
            {
                CompleteBlocked(s, SyscallResult.Ok());
            }
            else if (s.State == TcpState.Close)
            {
                Errno err = s.Err != Errno.None ? s.Err : Errno.ECONNREFUSED;
                s.Err = Errno.None;
                CompleteBlocked(s, SyscallResult.Fail(err));

                // af_inet.c:__inet_stream_connect, sock_error: the error is taken, then the socket disconnected.
                Disconnect(s, Causes.ConnectFailed);
            }
        }
        else if (call.Kind == BlockingCall.Close && s.State is not (TcpState.FinWait1 or TcpState.Closing or TcpState.LastAck))
        {
            FinishLingeringClose(s, call);
        }
    }

    internal void CompleteBlocked(TcpSocket s, SyscallResult result)
    {
        if (s.Waiter is not { } call) return;
        s.Waiter = null;
        call.Complete(result, Now);
        if (ReferenceEquals(Blocked, call)) Blocked = null;
        Observer?.OnCallCompleted(Now, this, call);
    }

    /// <summary>
    /// tcp_minisocks.c:tcp_time_wait: replace the full socket by a timewait socket with substate
    /// <paramref name="substate"/>. The timeout is at least F(rto) = 3.5·RTO, and exactly 60 s for TIME_WAIT.
    /// Beyond tcp_max_tw_buckets no timewait socket is made (TCPTimeWaitOverflow) and the connection vanishes.
    /// </summary>
    internal void TimeWait(TcpSocket s, TcpState substate, SimDuration timeo, Cause cause)
    {
        TimewaitSocket? tw = null;
        if (TimewaitCount < Settings.TcpMaxTwBuckets)
        {
            tw = new TimewaitSocket(this, s.Tuple)
            {
                Substate = substate,
                RcvNxt = s.RcvNxt,
                SndNxt = s.SndNxt,
                RcvWnd = AdvertisedWindow(s),
                Iss = s.Iss,
                Irs = s.Irs,
                TsRecent = s.TsRecent,
            };
            timeo = TcpTimeouts.TimewaitTimeout(timeo, substate == TcpState.TimeWait, s.RtoUs, JiffyUs);
            TimewaitCount++;
            // inet_timewait_sock.c:__inet_twsk_schedule counts TWKilled for a first timeout of at most 4 s.
            Count(timeo <= SimDuration.FromSeconds(4) ? Mib.TWKilled : Mib.TW);
            Hash(tw);
        }
        else
        {
            Count(Mib.TCPTimeWaitOverflow);
            cause = Causes.TimewaitOverflow;
        }

        TcpDone(s, cause);
        if (tw is not null)
        {
            ArmTimer(tw, Slot.Timewait, timeo);
            NotifyEnd(tw.Tuple, cause);
        }
    }

    /// <summary>Frees a timewait socket (expiry, or killed by a segment): silently.</summary>
    internal void KillTimewait(TimewaitSocket tw, Cause cause)
    {
        if (tw.Freed) return;
        CancelTimer(tw, Slot.Timewait);
        Unhash(tw);
        tw.Freed = true;
        TimewaitCount--;
        NotifyEnd(tw.Tuple, cause);
    }

    /// <summary>Restarts a timewait timer (inet_twsk_reschedule).</summary>
    internal void RescheduleTimewait(TimewaitSocket tw, SimDuration timeo) => ArmTimer(tw, Slot.Timewait, timeo);

    /// <summary>Drops a request socket (SYN_RECV) that was never accepted.</summary>
    internal void DropRequest(TcpSocket req, Cause cause)
    {
        ClearTimers(req);
        Unhash(req);
        req.Freed = true;
        SetState(req, TcpState.Close, cause);
        NotifyEnd(req.Tuple, cause);
    }
}
