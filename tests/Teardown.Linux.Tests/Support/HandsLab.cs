using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Support;

/// <summary>
/// Where release and kill are tried: a namespace with a listener, a wire tap and a sock_diag socket.
/// <see cref="Loopback"/> is one private namespace on 127.0.0.1; <see cref="DeadPeer"/> is two named
/// namespaces joined by a veth pair whose far side can be silenced (its address removed, so it drops
/// everything it receives without answering), for sockets that retransmit to a dead peer.
/// </summary>
internal sealed class HandsLab : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly string? _namedPrefix;

    private HandsLab(NetNsHandle local, NetNsHandle listenerNs, string device, IPAddress listenAddress, string? namedPrefix)
    {
        Local = local;
        PeerNamespace = listenerNs;
        _namedPrefix = namedPrefix;
        var listener = NetNs.Run(listenerNs, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(listenAddress, 0));
            s.Listen(16);
            return s;
        });
        Assert.True(listener.IsOk, listener.Error?.ToString());
        Listener = Own(listener.Value);
        Tap = Own(WireTap.Open(local, device));
        var diag = NetNs.Run(local, () => SockDiag.Open());
        Assert.True(diag.IsOk && diag.Value.IsOk, diag.Error?.ToString() ?? diag.Value.Error?.ToString());
        Diag = Own(diag.Value.Value);
    }

    /// <summary>The namespace whose sockets are released or killed (and where the tap and sock_diag are).</summary>
    internal NetNsHandle Local { get; }

    /// <summary>The namespace of the listener (the same as <see cref="Local"/> for <see cref="Loopback"/>).</summary>
    internal NetNsHandle PeerNamespace { get; }

    internal Socket Listener { get; }
    internal IPEndPoint ListenerEndpoint => (IPEndPoint)Listener.LocalEndPoint!;
    internal WireTap Tap { get; }
    internal SockDiag Diag { get; }

    internal static HandsLab Loopback()
    {
        var ns = NetNs.CreatePrivate();
        Assert.True(ns.IsOk, ns.Error?.ToString());
        var lab = new HandsLab(ns.Value, ns.Value, "lo", IPAddress.Loopback, null);
        lab._owned.Add(ns.Value);
        return lab;
    }

    /// <summary>Local namespace 10.199.0.1 (va) ↔ peer namespace 10.199.0.2 (vb) with the listener.</summary>
    internal static HandsLab DeadPeer()
    {
        string prefix = "tdhands-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..6];
        Ip($"netns add {prefix}-a");
        Ip($"netns add {prefix}-b");
        Ip($"link add va netns {prefix}-a type veth peer name vb netns {prefix}-b");
        foreach (var (side, dev, addr) in new[] { ("a", "va", "10.199.0.1/24"), ("b", "vb", "10.199.0.2/24") })
        {
            Ip($"-n {prefix}-{side} addr add {addr} dev {dev}");
            Ip($"-n {prefix}-{side} link set {dev} up");
            Ip($"-n {prefix}-{side} link set lo up");
        }

        var a = NetNsHandle.Open($"/run/netns/{prefix}-a");
        var b = NetNsHandle.Open($"/run/netns/{prefix}-b");
        Assert.True(a.IsOk && b.IsOk);
        var lab = new HandsLab(a.Value, b.Value, "va", IPAddress.Parse("10.199.0.2"), prefix);
        lab._owned.Add(a.Value);
        lab._owned.Add(b.Value);
        return lab;
    }

    /// <summary>The peer stops answering: the local side keeps its neighbour entry, the peer loses its address.</summary>
    internal void SilencePeer()
    {
        string mac = Ip($"-n {_namedPrefix}-b -br link show vb").Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        Ip($"-n {_namedPrefix}-a neigh replace 10.199.0.2 lladdr {mac} dev va nud permanent");
        Ip($"-n {_namedPrefix}-b addr del 10.199.0.2/24 dev vb");
    }

    /// <summary>A client in <see cref="Local"/> connected to the listener, and the accepted server socket.</summary>
    internal (Socket Client, Socket Server) Pair()
    {
        var target = ListenerEndpoint;
        var client = NetNs.Run(Local, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Connect(target);
            return s;
        });
        Assert.True(client.IsOk, client.Error?.ToString());
        return (Own(client.Value), Own(Listener.Accept()));
    }

    /// <summary>A <see cref="Holder"/> process connected to the listener, and our accepted peer socket.</summary>
    internal (Holder Holder, Socket Peer) Held(int? uid = null)
    {
        var holder = Own(Holder.Start(Local, ListenerEndpoint, uid));
        var peer = Own(Listener.Accept());
        peer.ReceiveTimeout = 2000;
        return (holder, peer);
    }

    /// <summary>The socket with this local and remote endpoint in <see cref="Local"/>, or null when gone.</summary>
    internal SocketRecord? Find(EndPoint local, EndPoint remote)
    {
        var tuple = new SocketTuple(AddressFamilies.Inet, Endpoint(local), Endpoint(remote));
        return Diag.Lookup(tuple, out var record, out _) == LookupStatus.Found ? record : null;
    }

    /// <summary>The state (Close when the socket is gone), polled until it is <paramref name="expected"/> or 3 s passed.</summary>
    internal TcpState WaitFor(EndPoint local, EndPoint remote, TcpState expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var state = Find(local, remote)?.KernelState ?? TcpState.Close;
            if (state == expected || deadline.ElapsedMilliseconds > 3000)
            {
                return state;
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The segments between two endpoints' ports since the last call, after letting the wire settle.</summary>
    internal List<Segment> Wire(EndPoint a, EndPoint b, int settleMs = 150)
    {
        Thread.Sleep(settleMs);
        return Tap.Take(((IPEndPoint)a).Port, ((IPEndPoint)b).Port);
    }

    internal static InetEndpoint Endpoint(EndPoint endpoint)
    {
        var ip = (IPEndPoint)endpoint;
        return new InetEndpoint(InetAddress.From(ip.Address), (ushort)ip.Port);
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static string Ip(string arguments)
    {
        using var ip = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = ip.StandardOutput.ReadToEnd();
        string error = ip.StandardError.ReadToEnd();
        ip.WaitForExit();
        Assert.True(ip.ExitCode == 0, $"ip {arguments}: {error}");
        return output;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        if (_namedPrefix is not null)
        {
            Ip($"netns del {_namedPrefix}-a");
            Ip($"netns del {_namedPrefix}-b");
        }
    }
}
