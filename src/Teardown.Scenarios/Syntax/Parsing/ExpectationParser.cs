using Teardown.Model;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// <c>expect S STATE [attributes]</c>, <c>expect HOST counter NAME N</c> and <c>expect packets A-&gt;B FLAGS...</c>.
/// </summary>
internal static class ExpectationParser
{
    private const string States = "ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING or GONE";
    private const string Attributes = "timer=KIND, expires=DUR, recvq=N, sendq=N, orphan=yes|no";

    public static Expectation Parse(TokenCursor cursor, NameScope scope)
    {
        Token subject = cursor.Next("a socket name, a host name or 'packets'");
        Token? second = cursor.AtEnd ? null : cursor.Peek();

        // 'packets' and 'counter' are recognised by their shape, so a socket may still be called "packets".
        if (subject.Is("packets") && second is { } arrow && arrow.Text.Contains('>', StringComparison.Ordinal)) return Packets(cursor, scope);
        if (second is { } keyword && keyword.Is("counter")) return Counter(scope.Host(subject, "a declared host before 'counter'"), cursor);
        return Socket(scope.AnySocket(subject).Name, cursor);
    }

    private static ExpectPackets Packets(TokenCursor cursor, NameScope scope)
    {
        Direction d = DirectionSyntax.Parse(cursor.Next("A->B"), scope, allowOneWay: true, allowBothWays: false, allowSameHost: true);
        var flags = new List<TcpFlags>();

        // No flags at all is meaningful: nothing was sent in that direction since the previous check.
        while (!cursor.AtEnd)
        {
            Token t = cursor.Next("flags");
            if (t.Quoted || !TcpFlagsNotation.TryParse(t.Text, out TcpFlags f))
            {
                throw TokenCursor.Fail(t, "a flag set written as in tcpdump (S SYN, F FIN, R RST, P PSH, U URG, . ACK; e.g. S. or F.)");
            }

            flags.Add(f);
        }

        return new ExpectPackets(d.From, d.To, flags);
    }

    private static ExpectCounter Counter(string host, TokenCursor cursor)
    {
        cursor.Next("counter");
        Token name = cursor.Next("a counter name, e.g. TCPAbortOnData");
        if (name.Quoted || name.Text.Length == 0 || !char.IsAsciiLetter(name.Text[0]) || !name.Text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw TokenCursor.Fail(name, "a counter name of letters, digits and '_', e.g. TCPAbortOnData");
        }

        long value = NumberSyntax.Integer(cursor.Next("the expected counter value"), "the expected counter value", 0, long.MaxValue);
        cursor.End("the counter value");
        return new ExpectCounter(host, name.Text, value);
    }

    private static ExpectSocket Socket(string socket, TokenCursor cursor)
    {
        Token stateToken = cursor.Next($"a state ({States})");
        TcpState? state = State(stateToken);
        TimerKind? timer = null;
        TimeSpan? expires = null;
        long? recvq = null, sendq = null;
        bool? orphan = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!cursor.AtEnd)
        {
            Token attr = cursor.Next(Attributes);
            int eq = attr.Text.IndexOf('=');
            if (attr.Quoted || eq <= 0) throw TokenCursor.Fail(attr, $"an attribute ({Attributes})");
            string name = attr.Text[..eq].ToLowerInvariant();
            var value = new Token(attr.Text[(eq + 1)..], attr.Column + eq + 1, false);
            if (!seen.Add(name)) throw new LineSyntaxException(attr.Column, $"expected each attribute once, found {InputText.Show(name)}= a second time");
            switch (name)
            {
                case "timer":
                    timer = TimerKindNames.TryParse(value.Text, out TimerKind k) ? k
                        : throw TokenCursor.Fail(value, "a timer kind (none, retransmit, keepalive, timewait, probe)");
                    break;
                case "expires":
                    expires = NumberSyntax.Duration(value, "the time left, " + NumberSyntax.DurationExamples);
                    break;
                case "recvq":
                    recvq = NumberSyntax.Integer(value, "a byte count", 0, long.MaxValue);
                    break;
                case "sendq":
                    sendq = NumberSyntax.Integer(value, "a byte count", 0, long.MaxValue);
                    break;
                case "orphan":
                    orphan = value.Is("yes") ? true : value.Is("no") ? false : throw TokenCursor.Fail(value, "yes or no");
                    break;
                default:
                    throw TokenCursor.Fail(attr, $"an attribute ({Attributes})");
            }
        }

        return new ExpectSocket(socket, state, timer, expires, recvq, sendq, orphan);
    }

    /// <summary>A scenario state name, or null for GONE. NEW_SYN_RECV is a request socket, not a connection end one can name.</summary>
    private static TcpState? State(Token token)
    {
        if (token.Is("GONE")) return null;
        if (!token.Quoted && TcpStateNames.TryParse(token.Text, out TcpState s) && s is not (TcpState.NewSynRecv or TcpState.BoundInactive)) return s;
        throw TokenCursor.Fail(token, $"a state ({States})");
    }
}
