using System.Net;
using System.Net.Sockets;

namespace Teardown.Server.Tests.EndToEnd;

/// <summary>
/// A server that leaks CLOSE_WAIT inside a namespace: a listener on 127.0.0.1:8080; each leaked
/// connection is accepted and never closed, while its client closes at once (so the server's end
/// sits in CLOSE_WAIT with the FIN unread: class close-wait-unread-eof, held by this process).
/// Without a namespace it leaks in this process's own, on an ephemeral loopback port.
/// </summary>
internal sealed class CloseWaitLeak : IDisposable
{
    internal const int DefaultPort = 8080;
    private readonly NamedNamespace? _ns;
    private readonly Socket _listener;
    private readonly List<Socket> _held = [];

    internal CloseWaitLeak(NamedNamespace? ns, int port = DefaultPort)
    {
        _ns = ns;
        _listener = Run(() =>
        {
            var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            l.Bind(new IPEndPoint(IPAddress.Loopback, port));
            l.Listen(512);
            return l;
        });
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
    }

    /// <summary>The listening port.</summary>
    internal int Port { get; }

    private T Run<T>(Func<T> function) => _ns is null ? function() : _ns.Run(function);

    /// <summary>Connections leaked so far.</summary>
    internal int Leaked
    {
        get
        {
            lock (_held) return _held.Count;
        }
    }

    /// <summary>Leaks <paramref name="count"/> more connections.</summary>
    internal void Leak(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var accepted = Run(() =>
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(new IPEndPoint(IPAddress.Loopback, Port));
                var server = _listener.Accept();
                client.Close(); // the peer closes; our server never will
                return server;
            });
            lock (_held) _held.Add(accepted);
        }
    }

    public void Dispose()
    {
        lock (_held)
        {
            foreach (var s in _held) s.Dispose();
            _held.Clear();
        }

        _listener.Dispose();
    }
}
