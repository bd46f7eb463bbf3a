using System.Net;
using System.Net.Sockets;
using System.Text;
using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Support;

/// <summary>
/// A private network namespace populated with TCP sockets in known states, all on 127.0.0.1:
/// LISTEN; an ESTABLISHED pair; a server CLOSE_WAIT with Recv-Q 1 whose client became an orphaned
/// FIN_WAIT2 (timewait mini-socket); a client in TIME_WAIT; and a client half-closed with
/// shutdown(SHUT_WR), held by this process in FIN_WAIT2 with its server in CLOSE_WAIT.
/// </summary>
internal sealed class SocketZoo : IDisposable
{
    private readonly List<Socket> _held = [];

    private SocketZoo(NetNsHandle ns) => Namespace = ns;

    internal NetNsHandle Namespace { get; }
    internal Socket Listener { get; private set; } = null!;
    internal Socket EstablishedClient { get; private set; } = null!;
    internal Socket EstablishedServer { get; private set; } = null!;
    internal Socket CloseWaitServer { get; private set; } = null!;
    internal IPEndPoint OrphanClientEndpoint { get; private set; } = null!;
    internal IPEndPoint TimeWaitClientEndpoint { get; private set; } = null!;
    internal Socket HalfClosedClient { get; private set; } = null!;
    internal Socket HalfClosedServer { get; private set; } = null!;
    internal Socket BoundOnly { get; private set; } = null!;
    internal Socket V6Client { get; private set; } = null!;
    internal Socket V6Server { get; private set; } = null!;

    internal static SocketZoo Create()
    {
        var ns = NetNs.CreatePrivate();
        Assert.True(ns.IsOk, ns.Error?.ToString());
        var zoo = new SocketZoo(ns.Value);
        var built = NetNs.Run(ns.Value, () => { zoo.Build(); return true; });
        Assert.True(built.IsOk, built.Error?.ToString());
        return zoo;
    }

    /// <summary>Runs a sock_diag call inside the zoo's namespace.</summary>
    internal T WithSockDiag<T>(Func<SockDiag, T> action)
    {
        var result = NetNs.Run(Namespace, () =>
        {
            var diag = SockDiag.Open();
            Assert.True(diag.IsOk, diag.Error?.ToString());
            using var d = diag.Value;
            return action(d);
        });
        Assert.True(result.IsOk, result.Error?.ToString());
        return result.Value;
    }

    internal List<SocketRecord> DumpAll(DiagExtensions extensions = DiagExtensions.TcpInfo | DiagExtensions.SkMemInfo)
    {
        return WithSockDiag(d =>
        {
            var records = new List<SocketRecord>();
            var result = d.Dump(AddressFamilies.Inet, TcpStateMask.All, extensions, records);
            Assert.True(result.IsComplete, result.ToString());
            return records;
        });
    }

    /// <summary>Polls the dump until <paramref name="ready"/> holds (loopback settles in milliseconds).</summary>
    internal List<SocketRecord> DumpUntil(Func<List<SocketRecord>, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var records = DumpAll();
            if (ready(records) || DateTime.UtcNow > deadline)
            {
                return records;
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Dumps once every socket has reached its final state.</summary>
    internal List<SocketRecord> DumpSettled() => DumpUntil(rs =>
        rs.Count(r => r.Inode == 0) == 2
        && rs.Any(r => r.Local.Port == OrphanClientEndpoint.Port && r.State == (byte)TcpState.FinWait2)
        && rs.Any(r => r.Local.Port == TimeWaitClientEndpoint.Port && r.State == (byte)TcpState.TimeWait)
        && rs.Count(r => r.State == (byte)TcpState.CloseWait) == 2
        && rs.Count(r => r.State == (byte)TcpState.FinWait2) == 2);

    internal static unsafe ulong InodeOf(Socket socket)
    {
        var link = Encoding.ASCII.GetBytes(File.ResolveLinkTarget($"/proc/self/fd/{socket.SafeHandle.DangerousGetHandle()}", false)!.FullName.Split('/')[^1]);
        Assert.True(LinkParsers.TryParseBracketedInode(link, "socket:["u8, out ulong inode));
        return inode;
    }

    private void Build()
    {
        Listener = Hold(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        Listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Listener.Listen(64);

        (EstablishedClient, EstablishedServer) = Connect();

        // Client closes without the server reading: server CLOSE_WAIT with the FIN unread (Recv-Q 1);
        // the client becomes an orphan in FIN_WAIT2, i.e. a timewait mini-socket (net/ipv4/tcp.c:__tcp_close).
        var (orphan, closeWait) = Connect();
        OrphanClientEndpoint = (IPEndPoint)orphan.LocalEndPoint!;
        CloseWaitServer = closeWait;
        _held.Remove(orphan);
        orphan.Dispose();

        // Client closes first and the server follows: the client ends in TIME_WAIT.
        var (twClient, twServer) = Connect();
        TimeWaitClientEndpoint = (IPEndPoint)twClient.LocalEndPoint!;
        _held.Remove(twClient);
        twClient.Dispose();
        Assert.Equal(0, twServer.Receive(new byte[16]));
        _held.Remove(twServer);
        twServer.Dispose();

        // Half-close: FIN sent, descriptor kept. FIN_WAIT2 with no timer, never reaped by tcp_fin_timeout.
        (HalfClosedClient, HalfClosedServer) = Connect();
        HalfClosedClient.Shutdown(SocketShutdown.Send);

        // Bound but neither listening nor connected: only visible with TCPF_BOUND_INACTIVE (Linux 6.8+).
        BoundOnly = Hold(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        BoundOnly.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        // One IPv6 connection on ::1, to exercise AF_INET6 dumps and 16-byte tuples.
        using var v6Listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        v6Listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        v6Listener.Listen(4);
        V6Client = Hold(new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp));
        V6Client.Connect(v6Listener.LocalEndPoint!);
        V6Server = Hold(v6Listener.Accept());
    }

    private (Socket Client, Socket Server) Connect()
    {
        var client = Hold(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        client.Connect(Listener.LocalEndPoint!);
        var server = Hold(Listener.Accept());
        return (client, server);
    }

    private Socket Hold(Socket socket)
    {
        _held.Add(socket);
        return socket;
    }

    public void Dispose()
    {
        foreach (var socket in _held)
        {
            socket.Dispose();
        }

        Namespace.Dispose();
    }
}
