namespace Teardown.Model.Kernel;

/// <summary>
/// What another process does to this host's sockets (issue 10, <c>teardown release</c> and <c>teardown kill</c>):
/// shutdown() on a duplicate of the process's descriptor (kernel/pid.c:pidfd_getfd), and netlink SOCK_DESTROY
/// (net/ipv4/tcp_diag.c:tcp_diag_destroy → net/ipv4/tcp.c:tcp_abort). Neither waits for, nor interrupts, a call
/// the host's own process is blocked in.
/// </summary>
public sealed partial class Host
{
    /// <summary>
    /// Release: another process takes a duplicate of descriptor <paramref name="fd"/> with pidfd_getfd and calls
    /// shutdown(SHUT_WR) on it; the duplicate refers to the same socket, so this is tcp_shutdown on the socket the
    /// process holds, whose own descriptor stays open. A descriptor the process does not hold (closed, or being
    /// closed: fs/file.c:file_close_fd takes it out of the table first) gives EBADF from pidfd_getfd. The receive
    /// queue is left alone: unread data does not turn the FIN into a RST, unlike close() (tcp.c:__tcp_close).
    /// </summary>
    public SyscallResult ReleaseWrite(int fd)
    {
        var s = ByFd(fd);
        if (s is null || s.Releasing) return SyscallResult.Fail(Errno.EBADF);
        return ShutdownSocket(s, ShutdownFlags.Send, Causes.ReleaseShutdownWrite);
    }

    /// <summary>
    /// SOCK_DESTROY of the connection end <paramref name="tuple"/>, looked up by its exact 4-tuple (the caller
    /// checks the cookie, so the listener fallback of inet_diag_find_one_icsk never applies). ENOENT when the
    /// kernel holds nothing for it, or only a CLOSE socket (unhashed; tcp_abort also refuses CLOSE since 6.11).
    /// tcp.c:tcp_abort then: a request socket is dropped and a timewait socket (either substate) descheduled,
    /// silently; a full socket gets a RST first where tcp_need_reset allows (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1,
    /// FIN_WAIT2, SYN_RECV — never LAST_ACK, CLOSING or SYN_SENT), then tcp_done_with_error(ECONNABORTED): sk_err,
    /// the write queue purged, tcp_done (an orphan is freed; a held socket stays CLOSE on its descriptor). No
    /// TcpExt counter is touched; the RST counts OutRsts and leaving ESTABLISHED/CLOSE_WAIT counts EstabResets.
    /// </summary>
    public SyscallResult SockDestroy(FourTuple tuple)
    {
        if (Crashed) return SyscallResult.Fail(Errno.ENOENT);
        switch (Lookup(tuple))
        {
            case TimewaitSocket tw:
                // tcp_abort: inet_twsk_deschedule_put — the timer is cancelled and the mini-socket freed, no segment.
                KillTimewait(tw, Causes.DestroyTimewait);
                return SyscallResult.Ok();
            case TcpSocket { State: TcpState.SynRecv, NotYetAccepted: true, Parent: not null } req:
                // tcp_abort on TCP_NEW_SYN_RECV: inet_csk_reqsk_queue_drop, silently.
                DropRequest(req, Causes.DestroyRequest);
                return SyscallResult.Ok();
            case TcpSocket { State: not TcpState.Close } s:
                if (NeedReset(s.State)) SendActiveReset(s);
                DoneWithError(s, Errno.ECONNABORTED, Causes.SockDestroy);
                return SyscallResult.Ok();
            default:
                return SyscallResult.Fail(Errno.ENOENT);
        }
    }

    /// <summary>tcp.h:tcp_need_reset: the states whose abort tells the peer with a RST.</summary>
    private static bool NeedReset(TcpState state) =>
        state is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.SynRecv;
}
