namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary><c>HOST setsockopt S OPTION ARGS</c>: SO_LINGER, TCP_LINGER2, SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT, TCP_USER_TIMEOUT.</summary>
internal static class SetSockOptParser
{
    private const string Options = "SO_LINGER, TCP_LINGER2, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT";

    public static SetSockOptCall Parse(string host, string socket, TokenCursor cursor)
    {
        Token option = cursor.Next($"a socket option ({Options})");
        if (option.Quoted) throw TokenCursor.Fail(option, $"a socket option ({Options})");
        switch (option.Text.ToUpperInvariant())
        {
            case "SO_LINGER":
            {
                bool on = OnOff(cursor);

                // "SO_LINGER off" needs no seconds: l_linger is ignored when l_onoff is 0.
                long seconds = on || !cursor.AtEnd ? Value(cursor, "linger seconds", 0) : 0;
                return new SetSockOptCall(host, socket, SocketOption.SoLinger, on, seconds);
            }

            case "TCP_LINGER2":
                return new SetSockOptCall(host, socket, SocketOption.TcpLinger2, false, Value(cursor, "seconds (negative, zero or positive)", int.MinValue));
            case "SO_KEEPALIVE":
                return new SetSockOptCall(host, socket, SocketOption.SoKeepalive, OnOff(cursor), 0);
            case "TCP_KEEPIDLE":
                return new SetSockOptCall(host, socket, SocketOption.TcpKeepIdle, false, Value(cursor, "seconds", 0));
            case "TCP_KEEPINTVL":
                return new SetSockOptCall(host, socket, SocketOption.TcpKeepIntvl, false, Value(cursor, "seconds", 0));
            case "TCP_KEEPCNT":
                return new SetSockOptCall(host, socket, SocketOption.TcpKeepCnt, false, Value(cursor, "a probe count", 0));
            case "TCP_USER_TIMEOUT":
                return new SetSockOptCall(host, socket, SocketOption.TcpUserTimeout, false, Value(cursor, "milliseconds", 0));
            default:
                throw TokenCursor.Fail(option, $"a socket option ({Options})");
        }
    }

    private static bool OnOff(TokenCursor cursor) => cursor.Keyword("on or off", "on", "off") == "on";

    private static long Value(TokenCursor cursor, string what, long min) =>
        NumberSyntax.Integer(cursor.Next(what), what, min, int.MaxValue);
}
