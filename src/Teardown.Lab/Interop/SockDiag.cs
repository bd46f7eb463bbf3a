using System.Buffers.Binary;
using System.Net;
using Teardown.Model;

namespace Teardown.Lab.Interop;

/// <summary>One TCP socket as inet_diag reports it (struct inet_diag_msg, include/uapi/linux/inet_diag.h).</summary>
internal sealed record DiagSocket(
    TcpState State,
    TimerKind Timer,
    uint ExpiresMs,
    uint RecvQ,
    uint SendQ,
    uint Inode,
    IPEndPoint Local,
    IPEndPoint Remote,
    ulong Cookie);

/// <summary>
/// A private, minimal NETLINK_SOCK_DIAG client for the lab (IPv4/TCP only): exact 4-tuple lookup, full
/// dump and SOCK_DESTROY. It exists because branch <c>linux</c>'s reader had not landed when the lab was
/// written; it should be replaced by Teardown.Linux's reader once available. The socket is bound to the
/// network namespace it was created in (sockets capture their netns at creation), so create it on a
/// thread that has entered the host's namespace.
/// </summary>
internal sealed class SockDiag : IDisposable
{
    private const ushort SockDiagByFamily = 20;
    private const ushort SockDestroy = 21;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort NlmFRequest = 1;
    private const ushort NlmFAck = 4;
    private const ushort NlmFDump = 0x300;
    private const int HeaderLen = 16;
    private const int ReqLen = 56;
    private const int MsgLen = 72;

    private readonly int _fd;
    private readonly Lock _lock = new();
    private uint _seq;

    private SockDiag(int fd) => _fd = fd;

    /// <summary>Opens a sock_diag socket in the calling thread's network namespace.</summary>
    public static SockDiag Open()
    {
        int fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_SOCK_DIAG);
        if (fd < 0) throw new IOException($"socket(AF_NETLINK, NETLINK_SOCK_DIAG): errno {Libc.Errno}");
        return new SockDiag(fd);
    }

    /// <summary>The socket with exactly this local/remote pair, if the kernel holds one (full or timewait).</summary>
    /// <remarks>inet_diag.c:inet_diag_find_one_icsk uses inet_lookup, which falls back to a listener; a
    /// listener answer for a connected 4-tuple therefore means "no such connection".</remarks>
    public DiagSocket? Lookup(IPEndPoint local, IPEndPoint remote)
    {
        byte[] req = BuildRequest(NlmFRequest, local, remote, ulong.MaxValue, SockDiagByFamily);
        DiagSocket? found = null;
        Exchange(req, s => found = s, out int error);
        if (error != 0 || found is null) return null;
        if (found.Remote.Port != remote.Port || found.Local.Port != local.Port) return null;
        return found;
    }

    /// <summary>Every IPv4 TCP socket of the namespace, in all states.</summary>
    public List<DiagSocket> Dump()
    {
        var list = new List<DiagSocket>();
        byte[] req = BuildRequest((ushort)(NlmFRequest | NlmFDump), new IPEndPoint(IPAddress.Any, 0), new IPEndPoint(IPAddress.Any, 0), ulong.MaxValue, SockDiagByFamily);
        Exchange(req, list.Add, out int error);
        if (error != 0) throw new IOException($"sock_diag dump failed: errno {error}");
        return list;
    }

    /// <summary>SOCK_DESTROY (tcp_diag.c:tcp_diag_destroy → tcp_abort); returns 0 or the errno.</summary>
    public int Destroy(DiagSocket socket)
    {
        byte[] req = BuildRequest((ushort)(NlmFRequest | NlmFAck), socket.Local, socket.Remote, socket.Cookie, SockDestroy);
        Exchange(req, _ => { }, out int error);
        return error;
    }

    private byte[] BuildRequest(ushort flags, IPEndPoint local, IPEndPoint remote, ulong cookie, ushort type)
    {
        var b = new byte[HeaderLen + ReqLen];
        uint seq;
        lock (_lock) seq = ++_seq;
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)b.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), seq);
        Span<byte> r = b.AsSpan(HeaderLen);
        r[0] = Libc.AF_INET;
        r[1] = Libc.IPPROTO_TCP;
        BinaryPrimitives.WriteUInt32LittleEndian(r[4..], 0xFFFFFFFF); // all states
        WriteSockId(r[8..], local, remote, cookie);
        return b;
    }

    private static void WriteSockId(Span<byte> id, IPEndPoint local, IPEndPoint remote, ulong cookie)
    {
        BinaryPrimitives.WriteUInt16BigEndian(id, (ushort)local.Port);
        BinaryPrimitives.WriteUInt16BigEndian(id[2..], (ushort)remote.Port);
        local.Address.TryWriteBytes(id[4..], out _);
        remote.Address.TryWriteBytes(id[20..], out _);
        BinaryPrimitives.WriteUInt64LittleEndian(id[40..], cookie);
    }

    private unsafe void Exchange(byte[] request, Action<DiagSocket> onSocket, out int error)
    {
        error = 0;
        lock (_lock)
        {
            fixed (byte* p = request)
            {
                if (Libc.Send(_fd, p, request.Length, 0) < 0) { error = Libc.Errno; return; }
            }

            var buf = new byte[65536];
            while (true)
            {
                nint n;
                fixed (byte* p = buf) n = Libc.Recv(_fd, p, buf.Length, 0);
                if (n < 0) { error = Libc.Errno; return; }
                int off = 0;
                bool more = false;
                while (off + HeaderLen <= n)
                {
                    int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(off));
                    ushort type = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + 4));
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + 6));
                    if (len < HeaderLen) return;
                    if (type == NlmsgDone) return;
                    if (type == NlmsgError)
                    {
                        error = -BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(off + HeaderLen));
                        return;
                    }

                    if (type == SockDiagByFamily && len >= HeaderLen + MsgLen)
                    {
                        onSocket(ParseMessage(buf.AsSpan(off + HeaderLen, MsgLen)));
                    }

                    more |= (flags & 2) != 0; // NLM_F_MULTI: keep reading until NLMSG_DONE
                    off += (len + 3) & ~3;
                }

                if (!more) return;
            }
        }
    }

    /// <summary>Parses a struct inet_diag_msg (72 bytes).</summary>
    internal static DiagSocket ParseMessage(ReadOnlySpan<byte> m)
    {
        var local = new IPEndPoint(new IPAddress(m.Slice(8, 4)), BinaryPrimitives.ReadUInt16BigEndian(m[4..]));
        var remote = new IPEndPoint(new IPAddress(m.Slice(24, 4)), BinaryPrimitives.ReadUInt16BigEndian(m[6..]));
        return new DiagSocket(
            (TcpState)m[1],
            (TimerKind)m[2],
            BinaryPrimitives.ReadUInt32LittleEndian(m[52..]),
            BinaryPrimitives.ReadUInt32LittleEndian(m[56..]),
            BinaryPrimitives.ReadUInt32LittleEndian(m[60..]),
            BinaryPrimitives.ReadUInt32LittleEndian(m[68..]),
            local,
            remote,
            BinaryPrimitives.ReadUInt64LittleEndian(m[44..]));
    }

    public void Dispose() => Libc.Close(_fd);
}
