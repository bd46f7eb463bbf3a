using System.Net;
using Teardown.Linux.Interop;
using Teardown.Linux.Netlink;
using Teardown.Scenarios.Syntax;
using static Teardown.Linux.Interop.LinuxConstants;

namespace Teardown.Lab.Agent;

/// <summary>
/// The agent's descriptors by scenario socket name, and the socket calls on them with raw syscalls.
/// Calls follow scenario-format.md: connect and close block; send, recv and accept never do
/// (MSG_DONTWAIT, a non-blocking listener), giving -1 EAGAIN when there is nothing.
/// </summary>
internal sealed class SocketTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _fds = new(StringComparer.Ordinal);

    /// <summary>
    /// Scenario sockets live at descriptors <c>PlacementBase + n</c>, n allocated lowest-free like
    /// fs/file.c:alloc_fd, apart from the runtime's own descriptors. Their order is then the model's, and it
    /// matters: process exit closes the highest descriptor first (the model's Host.Kill).
    /// </summary>
    internal const int PlacementBase = 1000;

    private readonly PriorityQueue<int, int> _freedSlots = new();
    private int _nextSlot;

    /// <summary>Executes one call request and fills value/errno/endpoints of <paramref name="r"/>.</summary>
    public void Execute(AgentRequest q, AgentResponse r)
    {
        switch (q.Op)
        {
            case AgentOp.Listen: Listen(q, r); break;
            case AgentOp.Connect: Connect(q, r); break;
            case AgentOp.Accept: Accept(q, r); break;
            case AgentOp.Send: Transfer(q, r, send: true); break;
            case AgentOp.Recv: Transfer(q, r, send: false); break;
            case AgentOp.Shutdown: Simple(q, r, fd => Libc.shutdown(fd, (int)q.N)); break;
            case AgentOp.Close: Close(q, r); break;
            case AgentOp.Error: SoError(q, r); break;
            case AgentOp.SetSockOpt: Simple(q, r, fd => SetOption(fd, q)); break;
            default: r.Fail(AgentFault.UnknownOp, "unknown op (is the agent another version than the runner?)"); break;
        }
    }

    /// <summary>Answers an <c>info</c> query: held or not, TCP_INFO state, endpoints.</summary>
    public unsafe void Info(AgentRequest q, AgentResponse r)
    {
        lock (_lock)
        {
            if (q.Socket is null || !_fds.TryGetValue(q.Socket, out int fd)) return;
            r.Held = true;
            r.Fd = fd;
            if (TryReadTcpInfo(fd, out TcpInfo info))
            {
                r.State = (TcpState)info.tcpi_state;
                r.Unacked = info.tcpi_unacked;
                if (r.State == TcpState.Listen)
                {
                    // tcp.c:tcp_get_info reports a listener's accept queue in tcpi_unacked and its
                    // backlog in tcpi_sacked: sock_diag's Recv-Q and Send-Q of a listener.
                    r.InQ = info.tcpi_unacked;
                    r.OutQ = info.tcpi_sacked;
                }
                else
                {
                    // tcp.c:tcp_ioctl: SIOCINQ = unread bytes (the FIN not counted), SIOCOUTQ = write_seq − snd_una.
                    int value = 0;
                    if (Libc.ioctl(fd, SIOCINQ, &value) == 0) r.InQ = value;
                    if (Libc.ioctl(fd, SIOCOUTQ, &value) == 0) r.OutQ = value;
                }
            }

            FillEndpoints(fd, r);
        }
    }

    private unsafe void Listen(AgentRequest q, AgentResponse r)
    {
        // The listener is non-blocking so that accept never blocks; nothing else is done on it.
        int fd = Libc.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0) { Fail(r); return; }
        SockAddrIn sa = SockAddrIn.From(new IPEndPoint(q.Address is null ? IPAddress.Any : IPAddress.Parse(q.Address), q.Port));
        if (Libc.bind(fd, &sa, (uint)sizeof(SockAddrIn)) != 0 || Libc.listen(fd, q.N > 0 ? (int)q.N : 128) != 0)
        {
            Fail(r);
            Libc.close(fd);
            return;
        }

        Register(q.Socket!, fd, r);
    }

    private unsafe void Connect(AgentRequest q, AgentResponse r)
    {
        int fd = Libc.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0) { Fail(r); return; }

        // Hold the name before connecting so that an observation during a blocking connect sees SYN_SENT.
        fd = Register(q.Socket!, fd, r);
        SockAddrIn sa = SockAddrIn.From(new IPEndPoint(IPAddress.Parse(q.Address!), q.Port));
        Errno result = ConnectWatching(fd, &sa);
        if (result != Errno.None)
        {
            r.Value = -1;
            r.Errno = result;
        }

        lock (_lock) FillEndpoints(fd, r);
    }

    /// <summary>
    /// connect(2) as a blocking call returns it — 0 once established, else the error that ended the attempt — but
    /// watched rather than slept in: the socket connects non-blocking and the thread polls it, yielding, for
    /// <see cref="ConnectSpinNs"/> before it blocks in poll. The handshake over a zero-delay link takes well under
    /// a millisecond, and waking a thread asleep in connect took up to milliseconds on the 2-core VM (issue 11's
    /// bound for the whole handshake is 1 ms). Once poll says the attempt has ended, a second connect takes the path a
    /// blocking one takes when it wakes (af_inet.c:__inet_stream_connect), so the result and the socket are the same.
    /// </summary>
    private static unsafe Errno ConnectWatching(int fd, SockAddrIn* sa)
    {
        int on = 1;
        int off = 0;
        Libc.ioctl(fd, FIONBIO, &on);
        try
        {
            int rc;
            do rc = Libc.connect(fd, sa, (uint)sizeof(SockAddrIn));
            while (rc != 0 && Libc.LastErrno == Errno.EINTR); // no signal handlers are installed, but be safe
            if (rc == 0) return Errno.None;
            if (Libc.LastErrno != Errno.EINPROGRESS) return Libc.LastErrno;

            // Watched for ConnectSpinNs (until poll says the attempt ended, or poll itself fails), then slept on in poll.
            bool ended = MonotonicSleep.SpinThenPoll(static f => WatchEnded(f), fd, MonotonicSleep.NowNs() + ConnectSpinNs, ConnectSpinNs);
            int ready;
            while ((ready = PollWritable(fd, ended ? 0 : -1)) < 0 && Libc.LastErrno == Errno.EINTR)
            {
                // no signal handlers are installed, but be safe
            }

            if (ready < 0) return Libc.LastErrno;

            // End as a blocking connect ends once it wakes (af_inet.c:__inet_stream_connect after inet_wait_for_connect).
            if (StateOf(fd) == TcpState.Close)
            {
                // Closed by a reset, a timeout, or another process's shutdown: the socket's error (sock_error, consumed;
                // ECONNABORTED when there is none), and the socket disconnected (tcp_disconnect) — which SO_ERROR alone
                // does not do (seen: Send-Q 1 instead of the blocking call's 3). connect(AF_UNSPEC) disconnects in any
                // socket state; a second connect() to the address would start a new attempt when a shutdown had left
                // the socket unconnected (fuzz seed 32100411: EINPROGRESS and a new SYN where Linux says ECONNRESET).
                Errno pending = TakeSocketError(fd, out int err) == 0 && err != 0 ? (Errno)err : Errno.ECONNABORTED;
                var unspec = new SockAddrIn { sin_family = AF_UNSPEC };
                Libc.connect(fd, &unspec, (uint)sizeof(SockAddrIn));
                return pending;
            }

            // Established (or on since: CLOSE_WAIT…): connect again, which makes the socket a connected one (SS_CONNECTED)
            // as the blocking call does, and says 0 (EISCONN when another process's shutdown already did).
            do rc = Libc.connect(fd, sa, (uint)sizeof(SockAddrIn));
            while (rc != 0 && Libc.LastErrno == Errno.EINTR);
            return rc == 0 || Libc.LastErrno == Errno.EISCONN ? Errno.None : Libc.LastErrno;
        }
        finally
        {
            Libc.ioctl(fd, FIONBIO, &off); // the socket is a blocking one, as a plain connect leaves it (a lingering close blocks)
        }
    }

    /// <summary>tcpi_state from TCP_INFO; null when it cannot be read.</summary>
    private static TcpState? StateOf(int fd) => TryReadTcpInfo(fd, out TcpInfo info) ? (TcpState)info.tcpi_state : null;

    /// <summary>getsockopt(TCP_INFO).</summary>
    private static unsafe bool TryReadTcpInfo(int fd, out TcpInfo info)
    {
        TcpInfo i = default;
        uint len = (uint)sizeof(TcpInfo);
        bool read = Libc.getsockopt(fd, IPPROTO_TCP, TCP_INFO, &i, &len) == 0;
        info = i;
        return read;
    }

    /// <summary>poll(2) for POLLOUT on one descriptor: the count of ready descriptors (0 or 1), or -1 with errno set.</summary>
    private static unsafe int PollWritable(int fd, int timeoutMs)
    {
        var pfd = new PollFd { fd = fd, events = POLLOUT };
        return Libc.poll(&pfd, 1, timeoutMs);
    }

    /// <summary>Whether watching a connecting socket can stop: poll says it is writable (the attempt ended), or poll failed (not EINTR).</summary>
    private static bool WatchEnded(int fd)
    {
        int ready = PollWritable(fd, 0);
        return ready > 0 || (ready < 0 && Libc.LastErrno != Errno.EINTR);
    }

    /// <summary>How long a connect is watched by spinning before its thread sleeps in poll.</summary>
    private const long ConnectSpinNs = 2_000_000;

    private unsafe void Accept(AgentRequest q, AgentResponse r)
    {
        if (!TryGet(q.Listener!, r, out int lfd)) return;
        int fd = Libc.accept4(lfd, null, null, SOCK_CLOEXEC);
        if (fd < 0) { Fail(r); return; }
        Register(q.Socket!, fd, r);
    }

    private unsafe void Transfer(AgentRequest q, AgentResponse r, bool send)
    {
        if (!TryGet(q.Socket!, r, out int fd)) return;
        byte[] buf = new byte[Math.Max(1, q.N)];
        nint n;
        fixed (byte* p = buf)
        {
            n = send
                ? Libc.send(fd, p, (nuint)q.N, MSG_DONTWAIT | MSG_NOSIGNAL)
                : Libc.recv(fd, p, (nuint)q.N, MSG_DONTWAIT);
        }

        if (n < 0) Fail(r);
        else r.Value = n;
    }

    private void Close(AgentRequest q, AgentResponse r)
    {
        int fd;
        lock (_lock)
        {
            if (!_fds.Remove(q.Socket!, out fd)) { r.Fail(AgentFault.UnknownSocket, "unknown socket " + q.Socket); return; }
            FillEndpoints(fd, r);
            if (fd >= PlacementBase) _freedSlots.Enqueue(fd - PlacementBase, fd - PlacementBase);
        }

        // The name is released before the (possibly lingering) close: the kernel, too, removes the
        // descriptor from the table first and runs tcp_close at the final fput.
        if (Libc.close(fd) != 0) Fail(r);
    }

    private unsafe void SoError(AgentRequest q, AgentResponse r)
    {
        if (!TryGet(q.Socket!, r, out int fd)) return;
        if (TakeSocketError(fd, out int err) != 0) { Fail(r); return; }
        r.Value = err;
        r.Errno = (Errno)err;
    }

    /// <summary>getsockopt(SO_ERROR): the pending error, consumed (sock_error); returns getsockopt's result.</summary>
    private static unsafe int TakeSocketError(int fd, out int err)
    {
        int e = 0;
        uint len = sizeof(int);
        int rc = Libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
        err = e;
        return rc;
    }

    private static unsafe int SetOption(int fd, AgentRequest q)
    {
        int v = checked((int)q.N);
        switch (q.Option)
        {
            case SocketOption.SoLinger:
                var l = new Linger { l_onoff = q.On ? 1 : 0, l_linger = v };
                return Libc.setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, (uint)sizeof(Linger));
            case SocketOption.SoKeepalive:
                int on = q.On ? 1 : 0;
                return Libc.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(int));
            default:
                int name = q.Option switch
                {
                    SocketOption.TcpLinger2 => TCP_LINGER2,
                    SocketOption.TcpKeepIdle => TCP_KEEPIDLE,
                    SocketOption.TcpKeepIntvl => TCP_KEEPINTVL,
                    SocketOption.TcpKeepCnt => TCP_KEEPCNT,
                    SocketOption.TcpUserTimeout => TCP_USER_TIMEOUT,
                    _ => throw new ArgumentException("unknown option " + q.Option),
                };
                return Libc.setsockopt(fd, IPPROTO_TCP, name, &v, sizeof(int));
        }
    }

    private void Simple(AgentRequest q, AgentResponse r, Func<int, int> call)
    {
        if (!TryGet(q.Socket!, r, out int fd)) return;
        if (call(fd) != 0) Fail(r);
    }

    /// <summary>Names a new socket (at its placed descriptor, which it returns).</summary>
    private int Register(string name, int fd, AgentResponse r)
    {
        lock (_lock)
        {
            fd = Place(fd);
            _fds[name] = fd;
            FillEndpoints(fd, r);
            return fd;
        }
    }

    /// <summary>Moves a new socket to its placed descriptor; keeps it where it is if that fails (e.g. RLIMIT_NOFILE).</summary>
    private int Place(int fd)
    {
        int slot = _freedSlots.Count > 0 ? _freedSlots.Dequeue() : _nextSlot++;
        int placed = PlacementBase + slot;
        if (Libc.dup3(fd, placed, O_CLOEXEC) != placed)
        {
            _freedSlots.Enqueue(slot, slot);
            return fd;
        }

        Libc.close(fd);
        return placed;
    }

    private bool TryGet(string name, AgentResponse r, out int fd)
    {
        lock (_lock)
        {
            if (_fds.TryGetValue(name, out fd)) return true;
        }

        r.Fail(AgentFault.UnknownSocket, "unknown socket " + name);
        return false;
    }

    private static void Fail(AgentResponse r)
    {
        r.Errno = Libc.LastErrno;
        r.Value = -1;
    }

    private static unsafe void FillEndpoints(int fd, AgentResponse r)
    {
        SockAddrIn sa = default;
        uint len = (uint)sizeof(SockAddrIn);
        if (Libc.getsockname(fd, &sa, &len) == 0 && sa.sin_family == AF_INET) r.Local = sa.ToEndPoint().ToString();
        len = (uint)sizeof(SockAddrIn);
        if (Libc.getpeername(fd, &sa, &len) == 0 && sa.sin_family == AF_INET) r.Remote = sa.ToEndPoint().ToString();
    }
}
