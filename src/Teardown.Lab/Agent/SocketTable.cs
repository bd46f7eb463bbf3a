using System.Net;
using System.Runtime.InteropServices;
using Teardown.Lab.Interop;

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
            case "listen": Listen(q, r); break;
            case "connect": Connect(q, r); break;
            case "accept": Accept(q, r); break;
            case "send": Transfer(q, r, send: true); break;
            case "recv": Transfer(q, r, send: false); break;
            case "shutdown": Simple(q, r, fd => Libc.Shutdown(fd, (int)q.N)); break;
            case "close": Close(q, r); break;
            case "error": SoError(q, r); break;
            case "setsockopt": Simple(q, r, fd => SetOption(fd, q)); break;
            default: r.Fault = "unknown op " + q.Op; break;
        }
    }

    private const nuint SiocInq = 0x541B;   // FIONREAD
    private const nuint SiocOutq = 0x5411;  // TIOCOUTQ

    /// <summary>Answers an <c>info</c> query: held or not, TCP_INFO state, endpoints.</summary>
    public unsafe void Info(AgentRequest q, AgentResponse r)
    {
        lock (_lock)
        {
            if (q.Socket is null || !_fds.TryGetValue(q.Socket, out int fd)) return;
            r.Held = true;
            TcpInfo info = default;
            int len = sizeof(TcpInfo);
            if (Libc.GetSockOpt(fd, Libc.IPPROTO_TCP, Libc.TCP_INFO, &info, &len) == 0)
            {
                r.State = info.State;
                r.Unacked = info.Unacked;
                if (info.State == 10)
                {
                    // tcp.c:tcp_get_info reports a listener's accept queue in tcpi_unacked and its
                    // backlog in tcpi_sacked: sock_diag's Recv-Q and Send-Q of a listener.
                    r.InQ = info.Unacked;
                    r.OutQ = info.Sacked;
                }
                else
                {
                    // tcp.c:tcp_ioctl: SIOCINQ = unread bytes (the FIN not counted), SIOCOUTQ = write_seq − snd_una.
                    int value = 0;
                    if (Libc.Ioctl(fd, SiocInq, &value) == 0) r.InQ = value;
                    if (Libc.Ioctl(fd, SiocOutq, &value) == 0) r.OutQ = value;
                }
            }

            FillEndpoints(fd, r);
        }
    }

    private unsafe void Listen(AgentRequest q, AgentResponse r)
    {
        // The listener is non-blocking so that accept never blocks; nothing else is done on it.
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, Libc.IPPROTO_TCP);
        if (fd < 0) { Fail(r); return; }
        SockAddrIn sa = SockAddrIn.From(new IPEndPoint(q.Address is null ? IPAddress.Any : IPAddress.Parse(q.Address), q.Port));
        if (Libc.Bind(fd, &sa, sizeof(SockAddrIn)) != 0 || Libc.Listen(fd, q.N > 0 ? (int)q.N : 128) != 0)
        {
            Fail(r);
            Libc.Close(fd);
            return;
        }

        Register(q.Socket!, fd, r);
    }

    private unsafe void Connect(AgentRequest q, AgentResponse r)
    {
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, Libc.IPPROTO_TCP);
        if (fd < 0) { Fail(r); return; }

        // Hold the name before connecting so that an observation during a blocking connect sees SYN_SENT.
        fd = Register(q.Socket!, fd, r);
        SockAddrIn sa = SockAddrIn.From(new IPEndPoint(IPAddress.Parse(q.Address!), q.Port));
        int rc;
        do rc = Libc.Connect(fd, &sa, sizeof(SockAddrIn));
        while (rc != 0 && Libc.Errno == 4); // EINTR: no signal handlers are installed, but be safe
        if (rc != 0) Fail(r);
        lock (_lock) FillEndpoints(fd, r);
    }

    private unsafe void Accept(AgentRequest q, AgentResponse r)
    {
        if (!TryGet(q.Listener!, r, out int lfd)) return;
        int fd = Libc.Accept4(lfd, null, null, Libc.SOCK_CLOEXEC);
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
                ? Libc.Send(fd, p, (nint)q.N, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL)
                : Libc.Recv(fd, p, (nint)q.N, Libc.MSG_DONTWAIT);
        }

        if (n < 0) Fail(r);
        else r.Value = n;
    }

    private void Close(AgentRequest q, AgentResponse r)
    {
        int fd;
        lock (_lock)
        {
            if (!_fds.Remove(q.Socket!, out fd)) { r.Fault = "unknown socket " + q.Socket; return; }
            FillEndpoints(fd, r);
            if (fd >= PlacementBase) _freedSlots.Enqueue(fd - PlacementBase, fd - PlacementBase);
        }

        // The name is released before the (possibly lingering) close: the kernel, too, removes the
        // descriptor from the table first and runs tcp_close at the final fput.
        if (Libc.Close(fd) != 0) Fail(r);
    }

    private unsafe void SoError(AgentRequest q, AgentResponse r)
    {
        if (!TryGet(q.Socket!, r, out int fd)) return;
        int err = 0;
        int len = sizeof(int);
        if (Libc.GetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_ERROR, &err, &len) != 0) { Fail(r); return; }
        r.Value = err;
        r.Errno = err;
    }

    private static unsafe int SetOption(int fd, AgentRequest q)
    {
        int v = checked((int)q.N);
        switch (q.Option)
        {
            case "SoLinger":
                var l = new Linger { OnOff = q.On ? 1 : 0, Seconds = v };
                return Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_LINGER, &l, sizeof(Linger));
            case "SoKeepalive":
                int on = q.On ? 1 : 0;
                return Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, &on, sizeof(int));
            default:
                int name = q.Option switch
                {
                    "TcpLinger2" => Libc.TCP_LINGER2,
                    "TcpKeepIdle" => Libc.TCP_KEEPIDLE,
                    "TcpKeepIntvl" => Libc.TCP_KEEPINTVL,
                    "TcpKeepCnt" => Libc.TCP_KEEPCNT,
                    "TcpUserTimeout" => Libc.TCP_USER_TIMEOUT,
                    _ => throw new ArgumentException("unknown option " + q.Option),
                };
                return Libc.SetSockOpt(fd, Libc.IPPROTO_TCP, name, &v, sizeof(int));
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
        if (Libc.Dup3(fd, placed, Libc.O_CLOEXEC) != placed)
        {
            _freedSlots.Enqueue(slot, slot);
            return fd;
        }

        Libc.Close(fd);
        return placed;
    }

    private bool TryGet(string name, AgentResponse r, out int fd)
    {
        lock (_lock)
        {
            if (_fds.TryGetValue(name, out fd)) return true;
        }

        r.Fault = "unknown socket " + name;
        return false;
    }

    private static void Fail(AgentResponse r)
    {
        r.Errno = Marshal.GetLastPInvokeError();
        r.Value = -1;
    }

    private static unsafe void FillEndpoints(int fd, AgentResponse r)
    {
        SockAddrIn sa = default;
        int len = sizeof(SockAddrIn);
        if (Libc.GetSockName(fd, &sa, &len) == 0 && sa.Family == Libc.AF_INET) r.Local = sa.ToEndPoint().ToString();
        len = sizeof(SockAddrIn);
        if (Libc.GetPeerName(fd, &sa, &len) == 0 && sa.Family == Libc.AF_INET) r.Remote = sa.ToEndPoint().ToString();
    }
}
