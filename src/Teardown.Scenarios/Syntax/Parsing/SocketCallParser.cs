namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// <c>HOST VERB ...</c>: the socket calls, <c>kill</c>, and the host events <c>crash</c> and <c>reboot</c>
/// (network events written with the host first).
/// </summary>
internal sealed class SocketCallParser
{
    public const string Verbs = "listen, connect, accept, send, recv, shutdown, close, error, setsockopt, kill, release, destroy, crash, reboot";

    private readonly NameScope _scope;

    public SocketCallParser(NameScope scope) => _scope = scope;

    public Statement Parse(string host, TokenCursor cursor, SourcePosition at)
    {
        Token verb = cursor.Next($"a call ({Verbs})");
        Statement statement = verb.Text.ToLowerInvariant() switch
        {
            _ when verb.Quoted => throw TokenCursor.Fail(verb, $"a call ({Verbs})"),
            "listen" => Listen(host, cursor, at),
            "connect" => Connect(host, cursor, at),
            "accept" => Accept(host, cursor, at),
            "send" => new SendCall(host, Socket(host, cursor), Bytes(cursor)),
            "recv" => new RecvCall(host, Socket(host, cursor), Bytes(cursor)),
            "shutdown" => new ShutdownCall(host, Socket(host, cursor), How(cursor)),
            "close" => new CloseCall(host, Socket(host, cursor)),
            "error" => new ErrorCall(host, Socket(host, cursor)),
            "setsockopt" => SetSockOptParser.Parse(host, Socket(host, cursor), cursor),
            "kill" => new KillCall(host),
            "release" => new ReleaseCall(host, Socket(host, cursor)),
            "destroy" => new DestroyCall(host, Connection(host, cursor)),
            "crash" => Crash(host),
            "reboot" => Reboot(host, verb),
            _ => throw TokenCursor.Fail(verb, $"a call ({Verbs})"),
        };
        cursor.End(verb.Text.ToLowerInvariant());
        return statement;
    }

    private ListenCall Listen(string host, TokenCursor cursor, SourcePosition at)
    {
        Token name = cursor.Next("a name for the listener");
        int port = Port(cursor.Next("a port number"));
        int? backlog = null;
        if (!cursor.AtEnd)
        {
            Token option = cursor.Next("backlog=N");
            const string Prefix = "backlog=";
            if (option.Quoted || !option.Text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                throw TokenCursor.Fail(option, "backlog=N or end of line");
            }

            var value = new Token(option.Text[Prefix.Length..], option.Column + Prefix.Length, false);
            backlog = (int)NumberSyntax.Integer(value, "a backlog", 0, int.MaxValue);
        }

        return new ListenCall(host, _scope.NewSocket(name, host, SocketRole.Listener, at), port, backlog);
    }

    private ConnectCall Connect(string host, TokenCursor cursor, SourcePosition at)
    {
        Token name = cursor.Next("a name for the connecting socket");
        Token target = cursor.Next("PEER:PORT, e.g. server:8080");
        int colon = target.Text.LastIndexOf(':');
        if (target.Quoted || colon < 0) throw TokenCursor.Fail(target, "PEER:PORT, e.g. server:8080");
        string peer = _scope.Host(new Token(target.Text[..colon], target.Column, false), "a declared host before ':'");
        int port = Port(new Token(target.Text[(colon + 1)..], target.Column + colon + 1, false));
        return new ConnectCall(host, _scope.NewSocket(name, host, SocketRole.Connector, at), peer, port);
    }

    private AcceptCall Accept(string host, TokenCursor cursor, SourcePosition at)
    {
        Token name = cursor.Next("a name for the accepted socket");
        Token listenerToken = cursor.Next("the listener to accept from");

        // Resolve the listener first: the new name must not be created by a line that is wrong anyway.
        string listener = _scope.Listener(listenerToken, host);
        return new AcceptCall(host, _scope.NewSocket(name, host, SocketRole.Accepted, at), listener);
    }

    private CrashHost Crash(string host)
    {
        _scope.Crash(host);
        return new CrashHost(host);
    }

    private RebootHost Reboot(string host, Token verb)
    {
        _scope.Reboot(verb, host);
        return new RebootHost(host);
    }

    private string Socket(string host, TokenCursor cursor) => _scope.Socket(cursor.Next("a socket name"), host).Name;

    /// <summary>A socket of <paramref name="host"/> that is a connection end (SOCK_DESTROY is given a 4-tuple, which a listener has not).</summary>
    private string Connection(string host, TokenCursor cursor)
    {
        Token token = cursor.Next("a socket name");
        SocketDecl socket = _scope.Socket(token, host);
        if (socket.Role == SocketRole.Listener)
        {
            throw new LineSyntaxException(token.Column,
                $"expected a connection made by connect or accept, found {socket.Name}, a listener created at line {socket.DeclaredAt.Line} (destroy names a connection end by its 4-tuple)");
        }

        return socket.Name;
    }

    private static int Bytes(TokenCursor cursor) => (int)NumberSyntax.Integer(cursor.Next("a byte count"), "a byte count", 0, int.MaxValue);

    private static int Port(Token token) => (int)NumberSyntax.Integer(token, "a port number", 1, 65535);

    private static ShutdownHow How(TokenCursor cursor)
    {
        Token how = cursor.Next("RD, WR or RDWR");

        // SHUT_RD/SHUT_WR/SHUT_RDWR, the C names, are accepted too.
        string text = how.Text.StartsWith("SHUT_", StringComparison.OrdinalIgnoreCase) ? how.Text[5..] : how.Text;
        return text.ToUpperInvariant() switch
        {
            _ when how.Quoted => throw TokenCursor.Fail(how, "RD, WR or RDWR"),
            "RD" => ShutdownHow.Read,
            "WR" => ShutdownHow.Write,
            "RDWR" => ShutdownHow.ReadWrite,
            _ => throw TokenCursor.Fail(how, "RD, WR or RDWR"),
        };
    }
}
