using System.Net;
using System.Net.Sockets;

namespace Teardown.Lab.Reproduction;

/// <summary>
/// Reproduces a realistic accumulation of stuck TCP sockets with real kernel sockets, all on
/// 127.0.0.1. Call <see cref="Build"/> on a thread that is inside a private network namespace
/// (Teardown.Linux.Namespaces.NetNs.Run): sockets keep the namespace they were created in. The
/// builder holds every descriptor it keeps; <see cref="Dispose"/> closes them.
/// </summary>
public sealed class AccumulationBuilder : IDisposable
{
    /// <summary>Ports of the reproduction's services.</summary>
    public const int ApiPort = 8080, SlowAcceptPort = 8081, ShortLivedPort = 8082, HealthyPort = 8083, CachePort = 6379, HalfClosePort = 9000, FarPort = 8090;

    /// <summary>The address that disappears to make a peer unreachable (TEST-NET-1, only inside the private namespace).</summary>
    public const string FarAddress = "192.0.2.1";

    private static readonly IPAddress s_loopback = IPAddress.Loopback;
    private readonly List<Socket> _held = [];

    /// <summary>Descriptors held.</summary>
    public int Held => _held.Count;

    /// <summary>False when the unreachable-peer part was skipped (no <c>ip</c> command), with the reason.</summary>
    public string? SkippedUnreachable { get; private set; }

    /// <summary>Builds everything in <paramref name="plan"/>, reporting each step's name.</summary>
    public void Build(AccumulationPlan plan, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.PortRange is var (low, high))
        {
            // /proc/sys/net follows the calling thread's namespace: this changes only the private one.
            File.WriteAllText("/proc/sys/net/ipv4/ip_local_port_range", $"{low} {high}");
        }

        var api = Listen(ApiPort, 4096);
        progress?.Invoke($"server :{ApiPort} leaks CLOSE_WAIT ({plan.LeakyServerUnread + plan.LeakyServerReadNotClosed + plan.StuckHandler} connections)");
        ServerKeeps(api, plan.LeakyServerUnread, requestBytes: 0, readEof: false, plan.LeakSpread);
        ServerKeeps(api, plan.LeakyServerReadNotClosed, requestBytes: 0, readEof: true);
        ServerKeeps(api, plan.StuckHandler, requestBytes: 120, readEof: false);

        progress?.Invoke($"client pool keeps {plan.StalePool} connections that server :{CachePort} closed");
        var cache = Listen(CachePort, 4096);
        for (int i = 0; i < plan.StalePool; i++)
        {
            var client = Connect(CachePort);
            _held.Add(client);
            using var server = cache.Accept();
            // The server's idle timeout: it closes; the pooled client never notices (never reads).
        }

        progress?.Invoke($"client half-closes {plan.HalfClosing} connections to :{HalfClosePort} and keeps them");
        var half = Listen(HalfClosePort, 4096);
        for (int i = 0; i < plan.HalfClosing; i++)
        {
            var client = Connect(HalfClosePort);
            _held.Add(client);
            _held.Add(half.Accept()); // the server never reads, so it never answers with its FIN
            client.Shutdown(SocketShutdown.Send);
        }

        progress?.Invoke($"{plan.NeverAccepted} clients give up waiting in the backlog of :{SlowAcceptPort}");
        Listen(SlowAcceptPort, Math.Max(plan.NeverAccepted, 1) + 16);
        for (int i = 0; i < plan.NeverAccepted; i++)
        {
            using var client = Connect(SlowAcceptPort);
        }

        progress?.Invoke($"{plan.TimeWait} short connections to :{ShortLivedPort} closed by the client (TIME_WAIT)");
        var shortLived = Listen(ShortLivedPort, 4096);
        for (int i = 0; i < plan.TimeWait; i++)
        {
            var client = Connect(ShortLivedPort);
            var server = shortLived.Accept();
            client.Dispose();
            server.Dispose();
        }

        progress?.Invoke($"{plan.Established} healthy connections to :{HealthyPort}");
        var healthy = Listen(HealthyPort, 4096);
        for (int i = 0; i < plan.Established; i++)
        {
            _held.Add(Connect(HealthyPort));
            _held.Add(healthy.Accept());
        }

        if (plan.UnreachableFinWait1 + plan.UnreachableLastAck > 0)
        {
            progress?.Invoke($"peer {FarAddress} becomes unreachable: {plan.UnreachableFinWait1} FIN_WAIT1 and {plan.UnreachableLastAck} LAST_ACK orphans retransmit our FIN");
            Unreachable(plan);
        }

        // Loopback delivers synchronously, but the final ACKs may still be in softirq: let them land.
        Thread.Sleep(100);
    }

    // The far address lives on lo only while the connections are set up; once it is deleted,
    // nothing to or from it can be routed, so our FINs are never acknowledged.
    private void Unreachable(AccumulationPlan plan)
    {
        if (Ip($"addr add {FarAddress}/32 dev lo") is string addError)
        {
            SkippedUnreachable = addError;
            return;
        }

        var far = IPAddress.Parse(FarAddress);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _held.Add(listener);
        listener.Bind(new IPEndPoint(far, FarPort));
        listener.Listen(256);
        var toCloseFirst = new List<Socket>();
        for (int i = 0; i < plan.UnreachableFinWait1; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(new IPEndPoint(far, FarPort));
            _held.Add(listener.Accept()); // the peer's end: stays ESTABLISHED, never hears our FIN
            toCloseFirst.Add(client);
        }

        var closeWaits = new List<Socket>();
        for (int i = 0; i < plan.UnreachableLastAck; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(new IPEndPoint(far, FarPort));
            closeWaits.Add(listener.Accept());
            client.Dispose(); // peer closes first: our end CLOSE_WAIT, theirs an orphaned FIN_WAIT2
        }

        Thread.Sleep(50);
        if (Ip($"addr del {FarAddress}/32 dev lo") is string delError)
        {
            SkippedUnreachable = delError;
            _held.AddRange(toCloseFirst);
            _held.AddRange(closeWaits);
            return;
        }

        // close() now: FIN_WAIT1 and LAST_ACK, orphaned, with a FIN nobody will acknowledge.
        foreach (var s in toCloseFirst) s.Dispose();
        foreach (var s in closeWaits) s.Dispose();
    }

    // Runs iproute2 from this thread: a child forked here inherits this thread's network namespace.
    private static string? Ip(string arguments)
    {
        string? ip = new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists);
        if (ip is null)
        {
            return "iproute2's ip command was not found";
        }

        var psi = new System.Diagnostics.ProcessStartInfo(ip) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments.Split(' ')) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : $"ip {arguments}: {error.Trim()}";
    }

    private void ServerKeeps(Socket listener, int count, int requestBytes, bool readEof, TimeSpan spread = default)
    {
        var pause = count > 0 ? spread / count : TimeSpan.Zero;
        var request = new byte[requestBytes];
        var buffer = new byte[256];
        for (int i = 0; i < count; i++)
        {
            var client = Connect(((IPEndPoint)listener.LocalEndPoint!).Port);
            var server = listener.Accept();
            _held.Add(server);
            if (requestBytes > 0)
            {
                client.Send(request);
            }

            client.Dispose(); // the client leaves: FIN
            if (readEof)
            {
                // read() returns 0 once the FIN is consumed; the server then forgets to close.
                server.ReceiveTimeout = 1000;
                while (server.Receive(buffer) > 0)
                {
                }
            }

            if (pause > TimeSpan.Zero)
            {
                Thread.Sleep(pause);
            }
        }
    }

    private Socket Listen(int port, int backlog)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _held.Add(s);
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(new IPEndPoint(s_loopback, port));
        s.Listen(backlog);
        return s;
    }

    private static Socket Connect(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Connect(new IPEndPoint(s_loopback, port));
        return s;
    }

    /// <summary>Closes every held descriptor.</summary>
    public void Dispose()
    {
        foreach (var s in _held)
        {
            s.Dispose();
        }

        _held.Clear();
    }
}
