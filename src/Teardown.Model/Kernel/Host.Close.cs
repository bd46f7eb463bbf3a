using Teardown.Model.Rules;
using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>close(), SO_LINGER, tcp_disconnect and process exit (tcp.c:__tcp_close; af_inet.c:inet_release).</summary>
public sealed partial class Host
{
    /// <summary>
    /// tcp.c:tcp_close_state: the close transition table. Returns true when a FIN must be sent
    /// (ESTABLISHED → FIN_WAIT1, SYN_RECV → FIN_WAIT1, CLOSE_WAIT → LAST_ACK).
    /// </summary>
    internal bool CloseState(TcpSocket s, Cause cause)
    {
        (TcpState next, bool fin) = s.State switch
        {
            TcpState.Established => (TcpState.FinWait1, true),
            TcpState.SynRecv => (TcpState.FinWait1, true),
            TcpState.CloseWait => (TcpState.LastAck, true),
            TcpState.SynSent => (TcpState.Close, false),
            TcpState.FinWait1 or TcpState.FinWait2 or TcpState.Closing or TcpState.LastAck => (s.State, false),
            _ => (TcpState.Close, false),
        };
        SetState(s, next, next == TcpState.Close && s.State == TcpState.SynSent ? Causes.CloseInSynSent : cause);
        return fin;
    }

    /// <summary>
    /// close(fd). With SO_LINGER N &gt; 0 (and the process not exiting) the call blocks while the state is
    /// FIN_WAIT1, CLOSING or LAST_ACK, up to N seconds, and always returns 0.
    /// </summary>
    public PendingCall Close(int fd, bool exiting = false)
    {
        var call = new PendingCall(BlockingCall.Close, Now);
        var s = ByFd(fd);
        if (s is null)
        {
            call.Complete(SyscallResult.Fail(Errno.EBADF), Now);
            return call;
        }

        // af_inet.c:inet_release: the linger time applies only when the task is not exiting.
        SimDuration timeout = s.Linger && !exiting ? SimDuration.FromSeconds(s.LingerSeconds) : SimDuration.Zero;
        if (s.Waiter is not null) CompleteBlocked(s, SyscallResult.Fail(Errno.EINTR));
        s.Releasing = true;
        bool blocked = CloseBegin(s, timeout, call);
        s.Releasing = blocked;
        if (blocked) return call;
        call.Complete(SyscallResult.Ok(), Now);
        return call;
    }

    /// <summary>
    /// tcp.c:__tcp_close steps 1–6. Returns true if the call now blocks in the linger wait (step 6); otherwise
    /// steps 7–10 have run.
    /// </summary>
    private bool CloseBegin(TcpSocket s, SimDuration lingerTimeout, PendingCall call)
    {
        // 1. Both directions shut down.
        s.Shutdown = ShutdownFlags.Both;

        // 2. A listener stops; its queued children are reset.
        if (s.State == TcpState.Listen)
        {
            CloseListener(s);
            Release(s);
            return false;
        }

        // 3. Drain the receive queue: unread payload (the FIN's sequence byte not counted). copied_seq stays,
        //    which is why an orphan can later show Recv-Q 1.
        long dataWasUnread = s.UnreadBytes;

        // 4. Already CLOSE (reset or timed out earlier): just free it.
        if (s.State == TcpState.Close)
        {
            Release(s);
            return false;
        }

        // 5. Choose one.
        if (dataWasUnread > 0)
        {
            // 5b. Unread data: RST instead of FIN (RFC 2525 §2.17), TCPAbortOnClose.
            Count(Mib.TCPAbortOnClose);
            SetState(s, TcpState.Close, Causes.CloseUnreadData);
            SendActiveReset(s);
        }
        else if (s.Linger && s.LingerSeconds == 0)
        {
            // 5c. SO_LINGER {1,0}: tcp_disconnect, counted as TCPAbortOnData (not TCPAbortOnLinger).
            Disconnect(s, Causes.LingerZero);
            Count(Mib.TCPAbortOnData);
        }
        else if (CloseState(s, Causes.CloseCalled))
        {
            // 5d. The FIN goes after any queued data.
            SendFin(s);
        }

        // 6. Linger wait while FIN_WAIT1, CLOSING or LAST_ACK.
        if (lingerTimeout > SimDuration.Zero && s.State is TcpState.FinWait1 or TcpState.Closing or TcpState.LastAck)
        {
            call.Socket = s;
            s.Waiter = call;
            Blocked = call;
            ArmTimer(s, Slot.Timewait, lingerTimeout);
            return true;
        }

        CloseOrphan(s);
        return false;
    }

    /// <summary>The linger wait ended (FIN acknowledged, state changed, or time up): finish close().</summary>
    internal void FinishLingeringClose(TcpSocket s, PendingCall call)
    {
        CancelTimer(s, Slot.Timewait);
        s.Releasing = false;
        s.Waiter = null;
        call.Complete(SyscallResult.Ok(), Now);
        if (ReferenceEquals(Blocked, call)) Blocked = null;
        if (!s.Freed && s.Fd >= 0) CloseOrphan(s);
        Observer?.OnCallCompleted(Now, this, call);
    }

    /// <summary>tcp.c:__tcp_close steps 7–10: orphan, the FIN_WAIT2 decision, the orphan/memory check.</summary>
    private void CloseOrphan(TcpSocket s)
    {
        // 7. sock_orphan: the descriptor is gone; the connection may live on as an orphan.
        if (s.State == TcpState.Close)
        {
            Release(s);
            return;
        }

        Orphan(s);

        // 8. FIN_WAIT2 at this point.
        if (s.State == TcpState.FinWait2)
        {
            if (s.Linger2 < 0)
            {
                SetState(s, TcpState.Close, Causes.Linger2Negative);
                SendActiveReset(s);
                Count(Mib.TCPAbortOnLinger);
            }
            else
            {
                SimDuration tmo = FinTime(s);
                SimDuration keepaliveStage = TcpTimeouts.BeyondTimewaitLen(tmo);
                if (keepaliveStage > SimDuration.Zero)
                {
                    ArmTimer(s, Slot.Keepalive, keepaliveStage);
                    NotifyEnd(s.Tuple, Causes.OrphanFinWait2Keepalive);
                }
                else
                {
                    TimeWait(s, TcpState.FinWait2, tmo, Causes.OrphanFinWait2ToTimewait);
                    return;
                }
            }
        }

        // 9. Too many orphans (tcp_check_oom): RST after the FIN already sent.
        if (s.State != TcpState.Close && OrphanCount > Settings.TcpMaxOrphans)
        {
            SetState(s, TcpState.Close, Causes.TooManyOrphans);
            SendActiveReset(s);
            Count(Mib.TCPAbortOnMemory);
        }

        // 10. CLOSE means destroy; otherwise the orphan lives on.
        if (s.State == TcpState.Close) Destroy(s, Causes.Destroyed);
        else NotifyEnd(s.Tuple, Causes.CloseCalled);
    }

    /// <summary>The descriptor of a socket that needs no orphan goes away; the socket is freed.</summary>
    private void Release(TcpSocket s)
    {
        Uninstall(s);
        ClearTimers(s);
        Unhash(s);
        s.Freed = true;
        NotifyEnd(s.Tuple, Causes.Released);
    }

    /// <summary>
    /// tcp.c:tcp_disconnect (SO_LINGER 0, shutdown in SYN_SENT, a failed connect): an active RST when the old
    /// state needs one (tcp_need_reset, or CLOSING/LAST_ACK with something unsent), recording ECONNRESET, as
    /// SYN_SENT does without a RST. Queues are purged, sk_shutdown cleared, the socket goes to CLOSE, and
    /// write_seq moves past anything the old connection could have used (+ max_window + 2), which is what
    /// ioctl(SIOCOUTQ) then reports against the untouched snd_una: 3 after a refused connect (SYN + 2).
    /// </summary>
    internal void Disconnect(TcpSocket s, Cause cause)
    {
        TcpState old = s.State;
        SetState(s, TcpState.Close, cause);
        bool reset = old is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.SynRecv ||
            (old is TcpState.Closing or TcpState.LastAck && s.SndNxt != s.WriteSeq);
        if (reset) SendActiveReset(s);

        ClearTimers(s);
        PurgeWriteQueue(s);
        s.CopiedSeq = s.RcvNxt;
        s.Shutdown = ShutdownFlags.None;
        s.Done = false;
        uint seq = unchecked(s.WriteSeq + s.MaxWindow + 2);
        s.WriteSeq = seq == 0 ? 1 : seq;
        if (reset || old == TcpState.SynSent) s.Err = Errno.ECONNRESET;
        WakeWaiter(s);
    }

    /// <summary>inet_connection_sock.c:inet_csk_listen_stop: queued children are reset and freed.</summary>
    private void CloseListener(TcpSocket l)
    {
        _listeners.Remove(l.Tuple.LocalPort);
        if (l.AcceptQueue is { } queue)
        {
            while (queue.Count > 0)
            {
                var child = queue.Dequeue();
                child.NotYetAccepted = false;
                child.Parent = null;
                OrphanCount++;
                if (child.State != TcpState.Close)
                {
                    if (child.State is TcpState.Established or TcpState.CloseWait) SendActiveReset(child);
                    SetState(child, TcpState.Close, Causes.ListenerClosed);
                }

                Destroy(child, Causes.ListenerClosed);
            }
        }

        foreach (var req in _ehash.Values.OfType<TcpSocket>().Where(r => r.NotYetAccepted && r.Parent == l).ToList())
        {
            DropRequest(req, Causes.ListenerClosed);
        }

        SetState(l, TcpState.Close, Causes.ListenerClosed);
    }

    /// <summary>
    /// SIGKILL: the process exits and every descriptor is closed, with the linger time ignored (inet_release
    /// sees PF_EXITING) but SO_LINGER 0 still aborting. A blocked call is interrupted. The highest descriptor
    /// closes first: fs/file.c:close_files walks the table upwards, but each last fput is queued with
    /// task_work_add and kernel/task_work.c:task_work_run runs the queue newest first (no FIFO guarantee
    /// since 5.19). Seen on 6.18: descriptors 4, 5, 6, 7 of a killed process send their FINs 7, 6, 5, 4.
    /// </summary>
    public void Kill()
    {
        if (Blocked is { } blocked)
        {
            Blocked = null;
            if (blocked.Socket is { } bs)
            {
                bs.Waiter = null;
                CancelTimer(bs, Slot.Timewait);
            }

            blocked.Complete(SyscallResult.Fail(Errno.EINTR), Now);
            Observer?.OnCallCompleted(Now, this, blocked);
        }

        foreach (int fd in _fds.Keys.OrderDescending().ToList())
        {
            if (!_fds.ContainsKey(fd)) continue;
            Close(fd, exiting: true);
            _sim.DeliverLoopback(this);
        }
    }
}
