namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// Name resolution while parsing: hosts are declared in the header; socket names are scenario-global,
/// created once by <c>listen</c>, <c>connect</c> or <c>accept</c>, and afterwards name the same
/// connection end of the same host. Lines are resolved in file order, which is also time order.
/// </summary>
internal sealed class NameScope
{
    /// <summary>Words that start a timed statement; a host with such a name could not be told apart.</summary>
    private static readonly string[] s_reservedHostNames = ["net", "expect"];

    private readonly Dictionary<string, SourcePosition> _hosts = new(StringComparer.Ordinal);
    private readonly List<string> _hostOrder = [];
    private readonly Dictionary<string, SocketDecl> _sockets = new(StringComparer.Ordinal);
    private readonly HashSet<string> _crashed = new(StringComparer.Ordinal);

    public IReadOnlyList<string> HostNames => _hostOrder;

    public IReadOnlyDictionary<string, SocketDecl> Sockets => _sockets;

    public string DeclareHost(Token token, SourcePosition at)
    {
        string name = NameSyntax.Name(token, "a host name");
        if (s_reservedHostNames.Any(token.Is))
        {
            throw new LineSyntaxException(token.Column, $"expected a host name other than 'net' and 'expect' (they start timed statements), found {token.Shown}");
        }

        if (_hosts.TryGetValue(name, out SourcePosition first))
        {
            throw new LineSyntaxException(token.Column, $"expected a new host name, found {InputText.Quote(name)}, already declared at line {first.Line}");
        }

        _hosts.Add(name, at);
        _hostOrder.Add(name);
        return name;
    }

    /// <summary>A declared host.</summary>
    public string Host(Token token, string what = "a declared host")
    {
        if (!token.Quoted && _hosts.ContainsKey(token.Text)) return token.Text;
        throw new LineSyntaxException(token.Column, $"expected {what} ({DeclaredHosts()}), found {token.Shown}");
    }

    /// <summary>Creates a socket name; a name is created once in a scenario.</summary>
    public string NewSocket(Token token, string host, SocketRole role, SourcePosition at)
    {
        string name = NameSyntax.Name(token, "a new socket name");
        if (_sockets.TryGetValue(name, out SocketDecl? existing))
        {
            throw new LineSyntaxException(token.Column,
                $"expected a new socket name, found {InputText.Quote(name)}, already created on host {existing.Host} at line {existing.DeclaredAt.Line} (a name is created once)");
        }

        _sockets.Add(name, new SocketDecl(name, host, at, role));
        return name;
    }

    /// <summary>An existing socket of <paramref name="host"/>.</summary>
    public SocketDecl Socket(Token token, string host)
    {
        SocketDecl socket = AnySocket(token);
        if (socket.Host != host)
        {
            throw new LineSyntaxException(token.Column, $"socket {socket.Name} belongs to host {socket.Host}, not {host}");
        }

        return socket;
    }

    /// <summary>An existing socket of any host (expectations name connection ends without their host).</summary>
    public SocketDecl AnySocket(Token token)
    {
        if (!token.Quoted && _sockets.TryGetValue(token.Text, out SocketDecl? socket)) return socket;
        string known = _sockets.Count == 0
            ? "none created yet"
            : "created so far: " + string.Join(", ", _sockets.Keys.Order(StringComparer.Ordinal));
        throw new LineSyntaxException(token.Column,
            $"expected a socket created by an earlier listen, connect or accept ({known}), found {token.Shown}");
    }

    /// <summary>An existing listener of <paramref name="host"/>.</summary>
    public string Listener(Token token, string host)
    {
        SocketDecl socket = Socket(token, host);
        if (socket.Role != SocketRole.Listener)
        {
            string how = socket.Role == SocketRole.Connector ? "connect" : "accept";
            throw new LineSyntaxException(token.Column,
                $"expected a listener, found {socket.Name}, a connection created by {how} at line {socket.DeclaredAt.Line}");
        }

        return socket.Name;
    }

    public void Crash(string host) => _crashed.Add(host);

    /// <summary>A reboot brings back a crashed host; rebooting a running one is a mistake in the scenario.</summary>
    public void Reboot(Token token, string host)
    {
        if (!_crashed.Remove(host))
        {
            throw new LineSyntaxException(token.Column, $"expected a crashed host to reboot, found {host}, which has not crashed (write '{host} crash' first)");
        }
    }

    private string DeclaredHosts() =>
        _hostOrder.Count == 0 ? "no host is declared yet" : "declared: " + string.Join(", ", _hostOrder);
}
