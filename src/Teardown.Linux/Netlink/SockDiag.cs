using Teardown.Linux.Interop;
using Teardown.Linux.Sockets;
using static Teardown.Linux.Netlink.NetlinkConstants;

namespace Teardown.Linux.Netlink;

/// <summary>
/// A sock_diag conversation: dumps every TCP socket of a family, looks one up by its exact 4-tuple,
/// and destroys one (SOCK_DESTROY). Acts on the network namespace the socket was created in (see
/// <see cref="NetlinkSocketHandle"/>). One instance serves one caller at a time; it owns a pinned
/// receive buffer reused for every reply, so a dump allocates only the records it returns.
/// </summary>
public sealed class SockDiag : IDisposable
{
    /// <summary>INET_DIAG_NOCOOKIE in both words: match the 4-tuple only.</summary>
    public const ulong NoCookie = ulong.MaxValue;

    /// <summary>Default receive buffer (1 MiB). The kernel sizes each dump skb from the recv length,
    /// capped near 32 KiB (net/netlink/af_netlink.c:netlink_recvmsg / netlink_dump), so this mostly
    /// guarantees no reply is ever truncated.</summary>
    public const int DefaultBufferBytes = 1 << 20;

    private readonly NetlinkSocketHandle _socket;
    private readonly byte[] _buffer;
    private uint _sequence;

    private SockDiag(NetlinkSocketHandle socket, int bufferBytes)
    {
        _socket = socket;
        _buffer = GC.AllocateUninitializedArray<byte>(bufferBytes, pinned: true);
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a sock_diag socket in the calling thread's network namespace.</summary>
    public static LinuxResult<SockDiag> Open(int bufferBytes = DefaultBufferBytes)
    {
        var socket = NetlinkSocketHandle.OpenSockDiag(bufferBytes);
        return socket.IsOk ? new SockDiag(socket.Value, bufferBytes) : socket.Error.Value;
    }

    /// <summary>
    /// Dumps every TCP socket of <paramref name="family"/> (AF_INET or AF_INET6) whose state is in
    /// <paramref name="states"/>, appending to <paramref name="into"/> as replies arrive. Timewait
    /// mini-sockets (including orphaned FIN_WAIT2) are included when their sub-state is selected.
    /// The kernel walks its hash tables in batches (net/ipv4/inet_diag.c:inet_diag_dump_icsk), so
    /// the result is not an atomic snapshot under churn.
    /// </summary>
    public DumpResult Dump(byte family, TcpStateMask states, DiagExtensions extensions, List<SocketRecord> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var sink = new ListSink(into);
        return Dump(family, states, extensions, ref sink);
    }

    /// <summary>
    /// As <see cref="Dump(byte, TcpStateMask, DiagExtensions, List{SocketRecord})"/>, handing each
    /// record to <paramref name="sink"/> as its reply buffer is parsed; nothing is stored.
    /// </summary>
    public DumpResult Dump<TSink>(byte family, TcpStateMask states, DiagExtensions extensions, ref TSink sink)
        where TSink : ISocketRecordSink
    {
        uint sequence = ++_sequence;
        LinuxError? sent;
        if (family == AddressFamilies.Unspecified)
        {
            var both = SockDiagRequest.DumpBothFamilies(states, extensions);
            Span<byte> message = stackalloc byte[SockDiagRequest.CompatSize];
            sent = SendBytes(message[..SockDiagRequest.Write(message, TCPDIAG_GETSOCK, SockDiagRequest.DumpFlags, sequence, both)]);
        }
        else
        {
            var request = SockDiagRequest.Dump(family, states, extensions);
            sent = Send(SOCK_DIAG_BY_FAMILY, SockDiagRequest.DumpFlags, sequence, request);
        }

        if (sent is LinuxError sendError)
        {
            return new(DumpStatus.SyscallError, sendError, 0, 0, 0, false);
        }

        int records = 0;
        int calls = 0;
        long bytes = 0;
        bool interrupted = false;
        while (true)
        {
            var received = Receive();
            calls++;
            if (!received.IsOk)
            {
                return new(DumpStatus.SyscallError, received.Error, records, calls, bytes, interrupted);
            }

            bytes += received.Value;
            var parsed = InetDiagParser.Parse(_buffer.AsSpan(0, received.Value), sequence, ref sink);
            records += parsed.Records;
            interrupted |= parsed.Interrupted;
            switch (parsed.Status)
            {
                case NetlinkParseStatus.Done:
                    return new(DumpStatus.Complete, null, records, calls, bytes, interrupted);
                case NetlinkParseStatus.KernelError:
                    return new(DumpStatus.KernelError, new LinuxError(parsed.Error, "SOCK_DIAG_BY_FAMILY dump"), records, calls, bytes, interrupted);
                case NetlinkParseStatus.Malformed:
                    return new(DumpStatus.Malformed, null, records, calls, bytes, interrupted);
                default:
                    continue;
            }
        }
    }

    /// <summary>
    /// Exact lookup of one connection (net/ipv4/inet_diag.c:inet_diag_cmd_exact); finds full,
    /// timewait and request sockets. Use it to re-verify a socket immediately before acting on it.
    /// </summary>
    /// <remarks>
    /// The kernel resolves the tuple with a normal socket lookup
    /// (net/ipv4/inet_diag.c:inet_diag_find_one_icsk → inet_lookup), which falls back to a
    /// <b>listening</b> socket on the local port when the connection no longer exists (measured on
    /// 6.18). A reply whose endpoints differ from the request is therefore reported as
    /// <see cref="LookupStatus.NotFound"/>.
    /// </remarks>
    public LookupStatus Lookup(in SocketTuple tuple, out SocketRecord record, out LinuxError? error,
        ulong cookie = NoCookie, DiagExtensions extensions = DiagExtensions.TcpInfo | DiagExtensions.SkMemInfo)
    {
        record = default;
        var outcome = Exchange(SOCK_DIAG_BY_FAMILY, SockDiagRequest.LookupFlags, SockDiagRequest.Exact(tuple, cookie, extensions), out var found, out _);
        error = outcome;
        if (outcome is null && found.Count == 1)
        {
            if (found[0].Local != tuple.Local || found[0].Remote != tuple.Remote)
            {
                error = new LinuxError(Errno.ENOENT, "SOCK_DIAG_BY_FAMILY lookup (kernel fell back to a listener)");
                return LookupStatus.NotFound;
            }

            record = found[0];
            return LookupStatus.Found;
        }

        return outcome?.Errno == Errno.ENOENT ? LookupStatus.NotFound : LookupStatus.Failed;
    }

    /// <summary>
    /// SOCK_DESTROY for one connection (net/ipv4/tcp_diag.c:tcp_diag_destroy → net/ipv4/tcp.c:tcp_abort).
    /// The owning process keeps its descriptor: its next call fails with ECONNABORTED — except a read of a
    /// CLOSE_WAIT socket, which still reports the peer's end of stream first (the error shows on the
    /// first write). An RST goes to the peer where tcp_abort sends one (ESTABLISHED, CLOSE_WAIT, an
    /// orphaned FIN_WAIT1); LAST_ACK, FIN_WAIT2 mini-sockets and TIME_WAIT vanish silently (measured on
    /// 6.18: tests/Teardown.Linux.Tests/Live/DestroyLiveTests).
    /// </summary>
    /// <remarks>
    /// The kernel finds the victim with the same lookup as <see cref="Lookup"/>, which falls back to
    /// the listener on the local port if the connection is gone; without a cookie that would destroy
    /// the <b>listening</b> socket. So when <paramref name="cookie"/> is <see cref="NoCookie"/> this
    /// method first looks the tuple up, checks the endpoints, and destroys by that socket's cookie.
    /// </remarks>
    public DestroyResult Destroy(in SocketTuple tuple, ulong cookie = NoCookie)
    {
        if (cookie == NoCookie)
        {
            switch (Lookup(tuple, out var current, out var lookupError, NoCookie, DiagExtensions.None))
            {
                case LookupStatus.Found:
                    cookie = current.Cookie;
                    break;
                case LookupStatus.NotFound:
                    return DestroyResult.FromErrno(Errno.ENOENT);
                default:
                    return new DestroyResult(DestroyStatus.Failed, lookupError);
            }
        }

        var outcome = Exchange(SOCK_DESTROY, SockDiagRequest.DestroyFlags, SockDiagRequest.Exact(tuple, cookie, DiagExtensions.None), out _, out bool kernelAnswered);
        if (outcome is null)
        {
            return DestroyResult.FromErrno(Errno.None);
        }

        // Only the kernel's own answer maps to Gone/PermissionDenied/...; a failed send or recv
        // says nothing about the socket.
        return kernelAnswered
            ? DestroyResult.FromErrno(outcome.Value.Errno)
            : new DestroyResult(DestroyStatus.Failed, outcome);
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    // Sends one request and reads replies until a terminal message; null means success.
    // kernelAnswered tells an errno from an NLMSG_ERROR apart from a local syscall failure.
    private LinuxError? Exchange(ushort type, ushort flags, in InetDiagReqV2 request, out List<SocketRecord> records, out bool kernelAnswered)
    {
        kernelAnswered = false;
        records = new List<SocketRecord>(1);
        uint sequence = ++_sequence;
        string operation = type == SOCK_DESTROY ? "SOCK_DESTROY" : "SOCK_DIAG_BY_FAMILY lookup";
        if (Send(type, flags, sequence, request) is LinuxError sendError)
        {
            return sendError;
        }

        while (true)
        {
            var received = Receive();
            if (!received.IsOk)
            {
                return received.Error;
            }

            var parsed = InetDiagParser.Parse(_buffer.AsSpan(0, received.Value), sequence, records);
            switch (parsed.Status)
            {
                case NetlinkParseStatus.Done:
                    kernelAnswered = true;
                    return null;
                case NetlinkParseStatus.KernelError:
                    kernelAnswered = true;
                    return new LinuxError(parsed.Error, operation);
                case NetlinkParseStatus.Malformed:
                    return new LinuxError(Errno.EIO, operation + " (malformed reply)");
                default:
                    continue;
            }
        }
    }

    private LinuxError? Send(ushort type, ushort flags, uint sequence, in InetDiagReqV2 request)
    {
        Span<byte> message = stackalloc byte[SockDiagRequest.Size];
        int length = SockDiagRequest.Write(message, type, flags, sequence, request);
        return SendBytes(message[..length]);
    }

    private unsafe LinuxError? SendBytes(ReadOnlySpan<byte> message)
    {
        int length = message.Length;
        var kernel = new SockaddrNl { nl_family = Interop.LinuxConstants.AF_NETLINK };
        fixed (byte* p = message)
        {
            while (true)
            {
                nint sent = Libc.sendto(_socket, p, (nuint)length, 0, &kernel, (uint)sizeof(SockaddrNl));
                if (sent == length)
                {
                    return null;
                }

                var error = LinuxError.Last("sendto(netlink)");
                if (sent < 0 && error.Errno == Errno.EINTR)
                {
                    continue;
                }

                return sent < 0 ? error : new LinuxError(Errno.EIO, "sendto(netlink) short write");
            }
        }
    }

    private unsafe LinuxResult<int> Receive()
    {
        fixed (byte* p = _buffer)
        {
            while (true)
            {
                nint received = Libc.recv(_socket, p, (nuint)_buffer.Length, 0);
                if (received >= 0)
                {
                    return (int)received;
                }

                var error = LinuxError.Last("recv(netlink)");
                if (error.Errno != Errno.EINTR)
                {
                    return error;
                }
            }
        }
    }
}
