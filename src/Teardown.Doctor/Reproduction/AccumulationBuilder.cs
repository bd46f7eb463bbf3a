using System.Net;
using System.Net.Sockets;

namespace Teardown.Doctor.Reproduction;

/// <summary>
/// Reproduces a realistic accumulation of stuck TCP sockets with real kernel sockets, all on
/// 127.0.0.1. Call <see cref="Build"/> on a thread that is inside a private network namespace
/// (Teardown.Linux.Namespaces.NetNs.Run): sockets keep the namespace they were created in. The
/// builder holds every descriptor it keeps; <see cref="Dispose"/> closes them.
/// </summary>
public sealed class AccumulationBuilder : IDisposable
{
    /// <summary>Ports of the reproduction's services.</summary>
    public const int ApiPort = 8080, SlowAcceptPort = 8081, ShortLivedPort = 8082, HealthyPort = 8083, CachePort = 6379, HalfClosePort = 9000;

    private static readonly IPAddress s_loopback = IPAddress.Loopback;
    private readonly List<Socket> _held = [];

    /// <summary>Descriptors held.</summary>
    public int Held => _held.Count;

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
        ServerKeeps(api, plan.LeakyServerUnread, requestBytes: 0, readEof: false);
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

        // Loopback delivers synchronously, but the final ACKs may still be in softirq: let them land.
        Thread.Sleep(100);
    }

    private void ServerKeeps(Socket listener, int count, int requestBytes, bool readEof)
    {
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
