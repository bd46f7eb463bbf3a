using Teardown.Model;

namespace Teardown.Scenarios.Syntax;

/// <summary>Expectation statements: observed at their time, checked afterwards.</summary>
public abstract record Expectation : Statement;

/// <summary>
/// <c>expect S STATE [timer=KIND] [expires=DUR] [recvq=N] [sendq=N] [orphan=yes|no]</c>.
/// <see cref="State"/> is null for <c>GONE</c>.
/// </summary>
public sealed record ExpectSocket(
    string Socket,
    TcpState? State,
    TimerKind? Timer,
    TimeSpan? Expires,
    long? RecvQ,
    long? SendQ,
    bool? Orphan) : Expectation
{
    public bool ExpectsGone => State is null;
}

/// <summary><c>expect HOST counter NAME N</c>: a TcpExt/Tcp counter counted from the scenario start.</summary>
public sealed record ExpectCounter(string Host, string Counter, long Value) : Expectation;

/// <summary><c>expect packets A-&gt;B FLAGS...</c>: the flag sets of segments A sent towards B since the previous such line.</summary>
public sealed record ExpectPackets(string From, string To, IReadOnlyList<TcpFlags> Flags) : Expectation;
