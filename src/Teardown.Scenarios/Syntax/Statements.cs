using Teardown.Model;

namespace Teardown.Scenarios.Syntax;

/// <summary>Any statement of the timeline.</summary>
public abstract record Statement;

/// <summary>
/// A statement performed by one host (socket calls, kill); it waits while that host is blocked, unless it comes
/// from outside the host's process (<see cref="FromOutside"/>).
/// </summary>
public abstract record HostStatement(string Host) : Statement
{
    /// <summary>
    /// True for what is done to the host's process or sockets from outside it — a signal (<c>kill</c>), another
    /// process (<c>release</c>, <c>destroy</c>): it happens at its time, neither waiting for a call the process is
    /// blocked in nor for the host's earlier lines still waiting.
    /// </summary>
    public virtual bool FromOutside => false;
}

public sealed record ListenCall(string Host, string Listener, int Port, int? Backlog) : HostStatement(Host);

public sealed record ConnectCall(string Host, string Socket, string Peer, int Port) : HostStatement(Host);

public sealed record AcceptCall(string Host, string Socket, string Listener) : HostStatement(Host);

public sealed record SendCall(string Host, string Socket, int Bytes) : HostStatement(Host);

public sealed record RecvCall(string Host, string Socket, int Bytes) : HostStatement(Host);

public enum ShutdownHow
{
    Read = 0,
    Write = 1,
    ReadWrite = 2,
}

public sealed record ShutdownCall(string Host, string Socket, ShutdownHow How) : HostStatement(Host);

public sealed record CloseCall(string Host, string Socket) : HostStatement(Host);

/// <summary><c>HOST error S</c>: getsockopt(SO_ERROR), which clears the pending error.</summary>
public sealed record ErrorCall(string Host, string Socket) : HostStatement(Host);

/// <summary>setsockopt; <see cref="On"/> is used by SO_LINGER and SO_KEEPALIVE, <see cref="Value"/> by the rest and SO_LINGER.</summary>
public sealed record SetSockOptCall(string Host, string Socket, SocketOption Option, bool On, long Value) : HostStatement(Host);

/// <summary><c>HOST kill</c>: SIGKILL of the host's process; every descriptor is closed as on exit.</summary>
public sealed record KillCall(string Host) : HostStatement(Host)
{
    public override bool FromOutside => true;
}

/// <summary>
/// <c>HOST release S</c> (extension): another process duplicates the descriptor the host's process holds for
/// <c>S</c> (pidfd_open + pidfd_getfd) and calls shutdown(SHUT_WR) on the duplicate, then closes the duplicate;
/// the process's own descriptor stays open. What <c>teardown release</c> does.
/// </summary>
public sealed record ReleaseCall(string Host, string Socket) : HostStatement(Host)
{
    public override bool FromOutside => true;
}

/// <summary>
/// <c>HOST destroy S</c> (extension): netlink SOCK_DESTROY, in the host's namespace, of the connection end
/// <c>S</c> (held, orphaned, or a timewait socket), found by its 4-tuple and cookie. What <c>teardown kill</c> does.
/// </summary>
public sealed record DestroyCall(string Host, string Socket) : HostStatement(Host)
{
    public override bool FromOutside => true;
}

/// <summary>Network events, which never wait for a host.</summary>
public abstract record NetworkStatement : Statement;

/// <summary><c>net drop A-&gt;B</c> (or <c>A&lt;-&gt;B</c> with <see cref="BothWays"/>).</summary>
public sealed record NetDrop(string From, string To, bool BothWays) : NetworkStatement;

public sealed record NetPass(string From, string To, bool BothWays) : NetworkStatement;

/// <summary><c>net delay A&lt;-&gt;B DUR</c>: the new one-way delay, both directions.</summary>
public sealed record NetDelay(string A, string B, TimeSpan Delay) : NetworkStatement;

public sealed record CrashHost(string Host) : NetworkStatement;

public sealed record RebootHost(string Host) : NetworkStatement;

/// <summary>The optional <c>= RESULT</c> of a call: a return value and, when it is -1 (or for <c>error</c>), an errno.</summary>
public sealed record ExpectedResult(long Value, Errno Errno)
{
    public override string ToString() => Errno == Errno.None ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Value == -1 ? $"-1 {Errno}" : Errno.ToString();
}
