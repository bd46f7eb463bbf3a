using static Teardown.Model.Rules.TcpTimeouts;

namespace Teardown.Model.Kernel;

/// <summary>
/// The socket API of the host's process. Every call returns what the syscall would, checking errors in the
/// kernel's order (tcp.c:tcp_sendmsg_locked, tcp_recvmsg_locked; af_inet.c:inet_shutdown; stream.c).
/// connect() and a lingering close() block: they return a <see cref="PendingCall"/>.
/// </summary>
public sealed partial class Host
{
    private int _nextFd = 3;

    // Descriptors given back by close(), reused lowest first.
    private readonly PriorityQueue<int, int> _freedFds = new();

    private TcpSocket? ByFd(int fd) => _fds.GetValueOrDefault(fd);

    /// <summary>
    /// A new descriptor is the lowest one free (fs/file.c:alloc_fd), as on the kernel: the order of
    /// descriptors decides the order in which process exit closes them (see <see cref="Kill"/>).
    /// </summary>
    private int Install(TcpSocket s)
    {
        s.Fd = _freedFds.Count > 0 ? _freedFds.Dequeue() : _nextFd++;
        _fds[s.Fd] = s;
        return s.Fd;
    }

    /// <summary>The descriptor of <paramref name="s"/> leaves the table (close, sock_orphan); its number is free again.</summary>
    private void Uninstall(TcpSocket s)
    {
        if (s.Fd < 0) return;
        if (_fds.Remove(s.Fd)) _freedFds.Enqueue(s.Fd, s.Fd);
        s.Fd = -1;
    }

    /// <summary>socket + bind(port) + listen(backlog). Returns the descriptor.</summary>
    public SyscallResult Listen(int port, int backlog = 128)
    {
        if (port is <= 0 or > 65535) return SyscallResult.Fail(Errno.EINVAL);
        if (_listeners.ContainsKey((ushort)port)) return SyscallResult.Fail(Errno.EADDRINUSE);
        var l = new TcpSocket(this, new FourTuple(Address, (ushort)port, 0, 0))
        {
            Backlog = Math.Max(0, backlog),
            AcceptQueue = new Queue<TcpSocket>(),
        };
        int fd = Install(l);
        _listeners[(ushort)port] = l;
        SetState(l, TcpState.Listen, Causes.Listen);
        return SyscallResult.Ok(fd);
    }

    /// <summary>
    /// socket + connect (tcp_ipv4.c:tcp_v4_connect, tcp_output.c:tcp_connect): picks an ephemeral port and an ISN,
    /// sends SYN, and blocks until ESTABLISHED or failure. <paramref name="fd"/> receives the descriptor.
    /// </summary>
    public PendingCall Connect(uint remoteAddr, int remotePort, out int fd)
    {
        var call = new PendingCall(BlockingCall.Connect, Now);
        fd = -1;
        int port = PickEphemeralPort(remoteAddr, (ushort)remotePort);
        if (port < 0)
        {
            call.Complete(SyscallResult.Fail(Errno.EADDRNOTAVAIL), Now);
            return call;
        }

        var s = new TcpSocket(this, new FourTuple(Address, (ushort)port, remoteAddr, (ushort)remotePort))
        {
            Mss = MssFor(remoteAddr),
            Iss = NewIsn(),
            RtoUs = TimeoutInitUs,
        };
        s.SndUna = s.Iss;
        s.SndNxt = Seq.Add(s.Iss, 1);
        s.SndSml = s.Iss; // tcp_output.c:tcp_connect_init: no small segment sent yet (Nagle's Minshall check)
        s.WriteSeq = s.SndNxt;
        s.RcvTstamp = Now;
        s.LastDataReceived = Now;
        fd = Install(s);
        Hash(s);
        Count(Mib.ActiveOpens);
        SetState(s, TcpState.SynSent, Causes.ConnectCalled);
        s.FirstUnackedSentAt = Now;

        // tcp_output.c:tcp_connect stamps retrans_stamp with the first SYN: SYN timeouts
        // (retransmits_timed_out, TCP_USER_TIMEOUT) count from it, not from the first retransmission.
        s.RetransStamp = Now;
        s.Flight.Add(new SentSegment(s.Iss, 0, false));
        SendSegment(s, s.Iss, TcpFlags.Syn, 0);
        ResetRetransmitTimer(s, RetransmitKind.Rto, new SimDuration(TimeoutInitUs));
        s.Waiter = call;
        call.Socket = s;
        Blocked = call;
        return call;
    }

    /// <summary>Non-blocking accept: the oldest queued child, or EAGAIN.</summary>
    public SyscallResult Accept(int listenerFd)
    {
        var l = ByFd(listenerFd);
        if (l is null) return SyscallResult.Fail(Errno.EBADF);
        if (l.State != TcpState.Listen) return SyscallResult.Fail(Errno.EINVAL);
        if (l.AcceptQueue!.Count == 0) return SyscallResult.Fail(Errno.EAGAIN);
        var child = l.AcceptQueue.Dequeue();
        child.NotYetAccepted = false;
        child.Parent = null;
        return SyscallResult.Ok(Install(child));
    }

    /// <summary>The 4-tuple behind a descriptor (for naming connection ends).</summary>
    public FourTuple? TupleOf(int fd) => ByFd(fd)?.Tuple;

    /// <summary>The socket behind a descriptor, for tests and inspection.</summary>
    public TcpSocket? SocketOf(int fd) => ByFd(fd);

    /// <summary>
    /// Non-blocking send (tcp.c:tcp_sendmsg_locked). Outside ESTABLISHED and CLOSE_WAIT, sk_stream_wait_connect
    /// returns a pending sk_err first (no SIGPIPE), else EPIPE. sk_err or SEND_SHUTDOWN then give EPIPE, turned
    /// into the pending error if one exists (stream.c:sk_stream_error).
    /// </summary>
    public SyscallResult Send(int fd, int bytes)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        if (s.State == TcpState.Listen) return SyscallResult.Fail(Errno.ENOTCONN);
        if (s.State is not (TcpState.Established or TcpState.CloseWait))
        {
            if (TakeError(s) is var err && err != Errno.None) return SyscallResult.Fail(err);
            if (s.State is not (TcpState.SynSent or TcpState.SynRecv)) return SyscallResult.Fail(Errno.EPIPE);
            return SyscallResult.Fail(Errno.EAGAIN);
        }

        if (s.Err != Errno.None || (s.Shutdown & ShutdownFlags.Send) != 0)
        {
            Errno pending = TakeError(s);
            return SyscallResult.Fail(pending != Errno.None ? pending : Errno.EPIPE);
        }

        if (bytes <= 0) return SyscallResult.Ok(0);
        s.WriteSeq = Seq.Add(s.WriteSeq, bytes);
        // tcp_event_data_sent: a reply within ato of the last receive counts towards pingpong mode.
        if (s.EverReceivedData && (Now - s.LastDataReceived).Microseconds < s.AtoUs) s.PingPong = true;
        WriteXmit(s, nagleOff: false);
        if (s.KeepaliveEnabled && !s.Timers[(int)Slot.Keepalive].Armed) ResetKeepalive(s);
        return SyscallResult.Ok(bytes);
    }

    /// <summary>
    /// Non-blocking recv (tcp.c:tcp_recvmsg_locked). Queued bytes first; reaching the FIN consumes it and returns
    /// 0. With nothing to copy: SOCK_DONE → 0, then sk_err (once), then RCV_SHUTDOWN → 0, CLOSE → ENOTCONN,
    /// else EAGAIN.
    /// </summary>
    public SyscallResult Recv(int fd, int bytes)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        if (s.State == TcpState.Listen) return SyscallResult.Fail(Errno.ENOTCONN);
        long available = s.UnreadBytes;
        if (available > 0 && bytes > 0)
        {
            int n = (int)Math.Min(available, bytes);
            s.CopiedSeq = Seq.Add(s.CopiedSeq, n);
            if (n == available && s.Done && !s.FinConsumed && s.FinWithData)
            {
                // The FIN shares the skb with the last bytes: reading them passes it too.
                s.CopiedSeq = Seq.Add(s.CopiedSeq, 1);
                s.FinConsumed = true;
            }

            return SyscallResult.Ok(n);
        }

        if (s.Done && !s.FinConsumed)
        {
            // found_fin_ok: copied_seq moves past the FIN.
            s.CopiedSeq = Seq.Add(s.CopiedSeq, 1);
            s.FinConsumed = true;
            return SyscallResult.Ok(0);
        }

        if (s.Done) return SyscallResult.Ok(0);
        if (TakeError(s) is var err && err != Errno.None) return SyscallResult.Fail(err);
        if ((s.Shutdown & ShutdownFlags.Receive) != 0) return SyscallResult.Ok(0);
        if (s.State == TcpState.Close) return SyscallResult.Fail(Errno.ENOTCONN);
        return SyscallResult.Fail(Errno.EAGAIN);
    }

    /// <summary>sock_error: reads and clears sk_err.</summary>
    private static Errno TakeError(TcpSocket s)
    {
        Errno e = s.Err;
        s.Err = Errno.None;
        return e;
    }

    /// <summary>getsockopt(SO_ERROR): sk_err, else sk_err_soft; both are cleared (sock.c:sk_getsockopt).</summary>
    public SyscallResult GetError(int fd, out Errno error)
    {
        error = Errno.None;
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        error = TakeError(s);
        if (error == Errno.None)
        {
            error = s.ErrSoft;
            s.ErrSoft = Errno.None;
        }

        return SyscallResult.Ok((long)error);
    }

    /// <summary>
    /// shutdown(2) (af_inet.c:inet_shutdown, tcp.c:tcp_shutdown). CLOSE gives ENOTCONN (flags still set);
    /// SYN_SENT aborts the connect; SHUT_WR in ESTABLISHED/CLOSE_WAIT sends FIN. Never waits (no linger).
    /// </summary>
    public SyscallResult Shutdown(int fd, ShutdownFlags how)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        return ShutdownSocket(s, how, Causes.ShutdownWrite);
    }

    /// <summary>af_inet.c:inet_shutdown on the socket itself, whichever descriptor reached it; <paramref name="finCause"/> names the FIN's origin.</summary>
    private SyscallResult ShutdownSocket(TcpSocket s, ShutdownFlags how, Cause finCause)
    {
        if (how == ShutdownFlags.None) return SyscallResult.Fail(Errno.EINVAL);
        switch (s.State)
        {
            case TcpState.Listen:
                if ((how & ShutdownFlags.Receive) != 0) CloseListener(s);
                return SyscallResult.Ok();
            case TcpState.SynSent:
                Disconnect(s, Causes.ShutdownSynSent);
                return SyscallResult.Ok();
            case TcpState.Close:
                s.Shutdown |= how;
                return SyscallResult.Fail(Errno.ENOTCONN);
        }

        s.Shutdown |= how;
        if ((how & ShutdownFlags.Send) != 0 && s.State is TcpState.Established or TcpState.SynRecv or TcpState.CloseWait)
        {
            if (CloseState(s, finCause)) SendFin(s);
        }

        return SyscallResult.Ok();
    }

    /// <summary>
    /// setsockopt of one of the options teardown behaviour depends on: <paramref name="on"/> for the on/off
    /// ones (SO_LINGER, SO_KEEPALIVE), <paramref name="value"/> for the others (and SO_LINGER's seconds).
    /// </summary>
    public SyscallResult SetOption(int fd, SocketOption option, bool on, int value) => option switch
    {
        SocketOption.SoLinger => SetLinger(fd, on, value),
        SocketOption.TcpLinger2 => SetLinger2(fd, value),
        SocketOption.SoKeepalive => SetKeepalive(fd, on),
        SocketOption.TcpKeepIdle => SetKeepaliveParameter(fd, "TCP_KEEPIDLE", value),
        SocketOption.TcpKeepIntvl => SetKeepaliveParameter(fd, "TCP_KEEPINTVL", value),
        SocketOption.TcpKeepCnt => SetKeepaliveParameter(fd, "TCP_KEEPCNT", value),
        SocketOption.TcpUserTimeout => SetUserTimeout(fd, value),
        _ => SyscallResult.Fail(Errno.ENOPROTOOPT),
    };

    /// <summary>setsockopt(SO_LINGER): on/off and seconds (sock.c:sk_setsockopt).</summary>
    public SyscallResult SetLinger(int fd, bool on, int seconds)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        s.Linger = on;
        s.LingerSeconds = on ? Math.Max(0, seconds) : 0;
        return SyscallResult.Ok();
    }

    /// <summary>setsockopt(TCP_LINGER2): negative stores −1, above 120 clamps to TCP_FIN_TIMEOUT_MAX (tcp.c:do_tcp_setsockopt).</summary>
    public SyscallResult SetLinger2(int fd, int seconds)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        s.Linger2 = seconds < 0 ? -1 : Math.Min(seconds, 120);
        return SyscallResult.Ok();
    }

    /// <summary>setsockopt(SO_KEEPALIVE) (tcp.c:tcp_set_keepalive).</summary>
    public SyscallResult SetKeepalive(int fd, bool on)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        if (s.State is TcpState.Close or TcpState.Listen)
        {
            s.KeepaliveEnabled = on;
            return SyscallResult.Ok();
        }

        if (on && !s.KeepaliveEnabled)
        {
            s.KeepaliveEnabled = true;
            ArmTimer(s, Slot.Keepalive, KeepaliveTime(s));
        }
        else if (!on && s.KeepaliveEnabled)
        {
            s.KeepaliveEnabled = false;
            CancelTimer(s, Slot.Keepalive);
        }

        return SyscallResult.Ok();
    }

    /// <summary>TCP_KEEPIDLE (1..32767 s; re-arms the timer for the remaining idle time), TCP_KEEPINTVL, TCP_KEEPCNT.</summary>
    public SyscallResult SetKeepaliveParameter(int fd, string option, int value)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        switch (option)
        {
            case "TCP_KEEPIDLE":
                if (value is < 1 or > 32767) return SyscallResult.Fail(Errno.EINVAL);
                s.KeepIdle = value;
                ResetKeepalive(s);
                break;
            case "TCP_KEEPINTVL":
                if (value is < 1 or > 32767) return SyscallResult.Fail(Errno.EINVAL);
                s.KeepIntvl = value;
                break;
            case "TCP_KEEPCNT":
                if (value is < 1 or > 127) return SyscallResult.Fail(Errno.EINVAL);
                s.KeepCnt = value;
                break;
            default:
                return SyscallResult.Fail(Errno.ENOPROTOOPT);
        }

        return SyscallResult.Ok();
    }

    /// <summary>TCP_USER_TIMEOUT in ms; negative is EINVAL, 0 turns it off.</summary>
    public SyscallResult SetUserTimeout(int fd, int ms)
    {
        var s = ByFd(fd);
        if (s is null) return SyscallResult.Fail(Errno.EBADF);
        if (ms < 0) return SyscallResult.Fail(Errno.EINVAL);
        s.UserTimeoutMs = ms;
        return SyscallResult.Ok();
    }
}
