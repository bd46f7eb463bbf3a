using System.Globalization;
using Teardown.Model;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// The <c>= RESULT</c> of a socket call: <c>0</c>, <c>10</c>, <c>-1 EPIPE</c>, and for <c>error</c> a bare errno
/// (<c>= ECONNRESET</c>). Results a call cannot produce are rejected here, where the mistake is visible.
/// </summary>
internal static class ResultParser
{
    private const string Forms = "a result (e.g. 0, 10, -1 EPIPE)";

    public static ExpectedResult Parse(Token equals, Statement statement, TokenCursor cursor)
    {
        if (statement is not HostStatement || statement is KillCall)
        {
            string what = statement switch
            {
                KillCall => "kill",
                Expectation => "an expectation",
                _ => "a network event",
            };
            throw new LineSyntaxException(equals.Column, $"expected end of line: {what} has no result, found '='");
        }

        Token first = cursor.Next(Forms);
        ExpectedResult result;
        if (!first.Quoted && ErrnoNames.TryParse(first.Text, out Errno bare))
        {
            if (statement is not ErrorCall) throw TokenCursor.Fail(first, $"a return value; a bare errno is the result of 'error' only, write -1 {bare.ToString()}");

            // getsockopt(SO_ERROR) succeeds and hands back the pending error as its value.
            result = new ExpectedResult(0, bare);
        }
        else if (!first.Quoted && first.Text == "-1")
        {
            Token errnoToken = cursor.Next("an errno name after -1 (e.g. EPIPE)");
            if (errnoToken.Quoted || !ErrnoNames.TryParse(errnoToken.Text, out Errno errno)) throw TokenCursor.Fail(errnoToken, "an errno name after -1 (e.g. EPIPE, ECONNRESET)");
            result = new ExpectedResult(-1, errno);
        }
        else
        {
            long value = NumberSyntax.Integer(first, Forms, 0, long.MaxValue);
            CheckSuccessValue(statement, first, value);
            result = new ExpectedResult(value, Errno.None);
        }

        cursor.End("the result");
        return result;
    }

    private static void CheckSuccessValue(Statement statement, Token token, long value)
    {
        switch (statement)
        {
            case SendCall send when value > send.Bytes:
                throw TokenCursor.Fail(token, Count("send", send.Bytes));
            case RecvCall recv when value > recv.Bytes:
                throw TokenCursor.Fail(token, Count("recv", recv.Bytes));
            case SendCall or RecvCall:
                return;
            case ErrorCall when value != 0:
                throw TokenCursor.Fail(token, "0 or an errno name (error reports the pending error, e.g. ECONNRESET)");
            case ListenCall or ConnectCall or AcceptCall when value != 0:
                throw TokenCursor.Fail(token, "0 or -1 ERRNO (calls that create a descriptor report 0, never the descriptor number)");
            case ShutdownCall or CloseCall or SetSockOptCall or ReleaseCall or DestroyCall when value != 0:
                throw TokenCursor.Fail(token, "0 or -1 ERRNO");
        }
    }

    private static string Count(string call, int requested) =>
        string.Create(CultureInfo.InvariantCulture, $"a byte count up to {requested} ({call} of {requested} bytes cannot return more) or -1 ERRNO");
}
