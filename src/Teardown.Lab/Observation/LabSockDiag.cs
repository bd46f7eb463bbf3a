using System.Net;
using Teardown.Linux.Interop;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;
using LinuxSockDiag = Teardown.Linux.Netlink.SockDiag;

namespace Teardown.Lab.Observation;

/// <summary>
/// IPv4 TCP sock_diag for one host namespace, on Teardown.Linux's reader (exact lookup, dump, SOCK_DESTROY).
/// The netlink socket belongs to the netns of the thread that opened it, so open it on the host's
/// <see cref="Teardown.Linux.Namespaces.NetNsThread"/>. Not thread-safe: callers serialise (LabHost holds a lock).
/// </summary>
internal sealed class LabSockDiag : IDisposable
{
    private readonly LinuxSockDiag _diag;
    private readonly List<SocketRecord> _buffer = [];

    private LabSockDiag(LinuxSockDiag diag) => _diag = diag;

    /// <summary>Opens sock_diag in the calling thread's network namespace.</summary>
    public static LabSockDiag Open()
    {
        var r = LinuxSockDiag.Open(1 << 16);
        if (!r.IsOk) throw new IOException("sock_diag: " + r.Error);
        return new LabSockDiag(r.Value);
    }

    /// <summary>The full or timewait socket with exactly this local/remote pair, or null (never the listener fallback).</summary>
    public DiagSocket? Lookup(IPEndPoint local, IPEndPoint remote)
    {
        var tuple = new SocketTuple(AddressFamilies.Inet, Endpoint(local), Endpoint(remote));
        return _diag.Lookup(tuple, out SocketRecord rec, out _, LinuxSockDiag.NoCookie, DiagExtensions.None) == LookupStatus.Found
            ? DiagSocket.From(rec)
            : null;
    }

    /// <summary>Every IPv4 TCP socket of the namespace, in all states.</summary>
    public List<DiagSocket> Dump()
    {
        _buffer.Clear();
        DumpResult d = _diag.Dump(AddressFamilies.Inet, TcpStateMask.All, DiagExtensions.None, _buffer);
        if (!d.IsComplete) throw new IOException("sock_diag dump: " + d.Status + " " + d.Error);
        return _buffer.Select(r => DiagSocket.From(r)).ToList();
    }

    /// <summary>
    /// <c>HOST destroy S</c>: SOCK_DESTROY of the connection end with exactly this local/remote pair, by the cookie
    /// an exact lookup just returned (never without one: the kernel's lookup falls back to the listener). Returns
    /// the kernel's answer: <see cref="Errno.None"/> when acknowledged, ENOENT when nothing (or only a listener) is
    /// there, or when the socket went away between the lookup and the destroy.
    /// </summary>
    public Errno DestroyEnd(IPEndPoint local, IPEndPoint remote)
    {
        var tuple = new SocketTuple(AddressFamilies.Inet, Endpoint(local), Endpoint(remote));
        switch (_diag.Lookup(tuple, out SocketRecord rec, out LinuxError? lookupError, LinuxSockDiag.NoCookie, DiagExtensions.None))
        {
            case LookupStatus.Found:
                break;
            case LookupStatus.NotFound:
                return Errno.ENOENT;
            default:
                throw new IOException("sock_diag lookup: " + lookupError?.ToString());
        }

        DestroyResult d = _diag.Destroy(tuple, rec.Cookie);
        return d.Status switch
        {
            DestroyStatus.Destroyed => Errno.None,
            _ when d.Error is { } e && d.Status != DestroyStatus.Failed => e.Errno,
            _ => throw new IOException("SOCK_DESTROY: " + d.Error),
        };
    }

    /// <summary>SOCK_DESTROY by cookie (tcp_diag.c:tcp_diag_destroy → tcp_abort).</summary>
    public void Destroy(DiagSocket s) =>
        _diag.Destroy(new SocketTuple(AddressFamilies.Inet, Endpoint(s.Local), Endpoint(s.Remote)), s.Cookie);

    private static InetEndpoint Endpoint(IPEndPoint ep) => new(InetAddress.From(ep.Address), (ushort)ep.Port);

    public void Dispose() => _diag.Dispose();
}
