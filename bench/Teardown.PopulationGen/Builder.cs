using System.Net;
using System.Net.Sockets;

namespace Teardown.PopulationGen;

/// <summary>Builds one slice with real loopback sockets in the current network namespace.</summary>
internal sealed class Builder(int basePort)
{
    private static readonly IPAddress Loopback = IPAddress.Loopback;
    private readonly List<Socket> _held = [];

    internal int Held => _held.Count;

    // Long-lived classes first; TIME_WAIT last, because it expires 60 s after it is created
    // (TCP_TIMEWAIT_LEN) and the measurement must see all of it.
    internal void Build(Slice slice)
    {
        var unread = Listen(basePort + 0);
        for (int i = 0; i < slice.CloseWaitUnreadEof; i++)
        {
            var c = Connect(basePort + 0);
            _held.Add(unread.Accept());
            c.Dispose();
        }

        var readEof = Listen(basePort + 1);
        var pending = new List<Socket>(slice.CloseWaitReadNotClosed);
        for (int i = 0; i < slice.CloseWaitReadNotClosed; i++)
        {
            var c = Connect(basePort + 1);
            var s = readEof.Accept();
            _held.Add(s);
            pending.Add(s);
            c.Dispose();
        }

        var buffer = new byte[16];
        foreach (var s in pending)
        {
            s.ReceiveTimeout = 2000;
            while (s.Receive(buffer) > 0)
            {
            }
        }

        var data = Listen(basePort + 2);
        var request = new byte[64];
        for (int i = 0; i < slice.CloseWaitUnreadData; i++)
        {
            var c = Connect(basePort + 2);
            _held.Add(data.Accept());
            c.Send(request);
            c.Dispose();
        }

        Listen(basePort + 3, backlog: slice.NeverAccepted + 64);
        for (int i = 0; i < slice.NeverAccepted; i++)
        {
            Connect(basePort + 3).Dispose();
        }

        var half = Listen(basePort + 4);
        for (int i = 0; i < slice.HalfClosed; i++)
        {
            var c = Connect(basePort + 4);
            _held.Add(c);
            _held.Add(half.Accept());
            c.Shutdown(SocketShutdown.Send);
        }

        var healthy = Listen(basePort + 5);
        for (int i = 0; i < slice.Established; i++)
        {
            _held.Add(Connect(basePort + 5));
            _held.Add(healthy.Accept());
        }

        var tw = Listen(basePort + 6);
        for (int i = 0; i < slice.TimeWait; i++)
        {
            var c = Connect(basePort + 6);
            var s = tw.Accept();
            c.Dispose();
            s.Dispose();
        }
    }

    private Socket Listen(int port, int backlog = 4096)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(new IPEndPoint(Loopback, port));
        s.Listen(backlog);
        _held.Add(s);
        return s;
    }

    private static Socket Connect(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Connect(new IPEndPoint(Loopback, port));
        return s;
    }
}
