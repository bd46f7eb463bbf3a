using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Classification;

/// <summary>The local ports that have a LISTEN socket, by exact address or wildcard.</summary>
public sealed class ListeningPorts
{
    // Port → addresses; a wildcard listener (0.0.0.0 or ::) serves every address of the port.
    private readonly bool[] _wildcard = new bool[65536];
    private readonly Dictionary<ushort, List<InetAddress>> _exact = [];

    /// <summary>Collects the listeners of a socket table.</summary>
    public static ListeningPorts From(ReadOnlySpan<SocketRecord> sockets)
    {
        var ports = new ListeningPorts();
        foreach (ref readonly var s in sockets)
        {
            if (s.KernelState == TcpState.Listen)
            {
                ports.Add(s.Local);
            }
        }

        return ports;
    }

    /// <summary>Number of distinct listening ports.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a listener.</summary>
    public void Add(InetEndpoint local)
    {
        bool known = _wildcard[local.Port] || _exact.ContainsKey(local.Port);
        if (IsWildcard(local.Address))
        {
            _wildcard[local.Port] = true;
        }
        else
        {
            if (!_exact.TryGetValue(local.Port, out var list))
            {
                _exact[local.Port] = list = [];
            }

            list.Add(local.Address);
        }

        if (!known)
        {
            Count++;
        }
    }

    /// <summary>True when a listener accepts connections on this local endpoint.</summary>
    public bool Contains(InetEndpoint local)
    {
        if (_wildcard[local.Port])
        {
            return true;
        }

        return _exact.TryGetValue(local.Port, out var list) && list.Contains(local.Address);
    }

    private static readonly InetAddress s_any4 = InetAddress.From(System.Net.IPAddress.Any);
    private static readonly InetAddress s_any6 = InetAddress.From(System.Net.IPAddress.IPv6Any);

    private static bool IsWildcard(InetAddress address) => address == s_any4 || address == s_any6;
}
