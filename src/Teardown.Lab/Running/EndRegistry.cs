using System.Net;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Running;

/// <summary>What the lab knows about one named connection end: its host and its 4-tuple (kept after close).</summary>
internal sealed class KnownEnd(string name, string host, SocketRole role)
{
    public string Name { get; } = name;

    public string Host { get; } = host;

    public SocketRole Role { get; } = role;

    public IPEndPoint? Local { get; set; }

    /// <summary>The peer, once connected (or the peer being connected to, during connect).</summary>
    public IPEndPoint? Remote { get; set; }

    /// <summary>CLOCK_MONOTONIC ns when the name was bound to a socket (start of its creating call).</summary>
    public long CreatedNs { get; set; }

    /// <summary>When the creating call returned (for connect: the SYN_SENT transition happens inside it).</summary>
    public long CreatedEndNs { get; set; }
}

/// <summary>
/// Scenario socket names and their 4-tuples, so that transitions and segments can be named after the
/// scenario's sockets. A name keeps naming its connection end after close (scenario-format.md).
/// </summary>
internal sealed class EndRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, KnownEnd> _byName = new(StringComparer.Ordinal);
    private readonly List<KnownEnd> _history = [];

    public KnownEnd Declare(string name, string host, SocketRole role)
    {
        lock (_lock)
        {
            var end = new KnownEnd(name, host, role);
            _byName[name] = end;
            _history.Add(end);
            return end;
        }
    }

    public KnownEnd? Get(string name)
    {
        lock (_lock) return _byName.GetValueOrDefault(name);
    }

    /// <summary>The scenario name of the end on <paramref name="host"/> with this local/remote pair.</summary>
    public string? NameOf(string host, IPEndPoint local, IPEndPoint remote)
    {
        lock (_lock)
        {
            for (int i = _history.Count - 1; i >= 0; i--)
            {
                KnownEnd e = _history[i];
                if (e.Host == host && local.Equals(e.Local) && remote.Equals(e.Remote)) return e.Name;
            }

            return null;
        }
    }

    public IReadOnlyList<KnownEnd> All
    {
        get
        {
            lock (_lock) return _history.ToArray();
        }
    }
}
