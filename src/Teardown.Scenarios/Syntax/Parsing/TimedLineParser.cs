namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// <c>TIME STATEMENT [= RESULT]</c>: resolves the time against the previous timed line, parses the
/// statement (host call, <c>net</c> event or <c>expect</c>), and the optional result.
/// </summary>
internal sealed class TimedLineParser
{
    private readonly NameScope _scope;
    private readonly SocketCallParser _calls;

    public TimedLineParser(NameScope scope)
    {
        _scope = scope;
        _calls = new SocketCallParser(scope);
    }

    /// <summary>The time of the last timed line whose time was valid: relative times add to it, later times may not precede it.</summary>
    public TimeSpan Previous { get; private set; }

    public TimedLine Parse(LexedLine line, int lineNumber)
    {
        IReadOnlyList<Token> tokens = line.Tokens;
        Token timeToken = tokens[0];
        TimeSpec time = TimeSpecParser.Parse(timeToken, Previous);
        Previous = time.At;

        int equals = IndexOfEquals(tokens);
        int statementEnd = equals < 0 ? tokens.Count : equals;
        var statementTokens = tokens.Skip(1).Take(statementEnd - 1).ToArray();
        var cursor = equals < 0
            ? new TokenCursor(statementTokens, line.EndColumn)
            : new TokenCursor(statementTokens, tokens[equals].Column, "'='");
        var at = new SourcePosition(lineNumber, timeToken.Column);
        Statement statement = Statement(cursor, at);

        if (time.ReturnsAt is not null && statement is not (ConnectCall or CloseCall))
        {
            throw new LineSyntaxException(time.ReturnsColumn,
                $"expected a plain time: START...END marks a blocking call and only connect and close block, found {Describe(statement)}");
        }

        ExpectedResult? result = null;
        if (equals >= 0)
        {
            var resultCursor = new TokenCursor(tokens.Skip(equals + 1).ToArray(), line.EndColumn);
            result = ResultParser.Parse(tokens[equals], statement, resultCursor);
        }

        return new TimedLine(at, time.At, time.ReturnsAt, statement, result, line.Code.TrimStart(' ', '\t'));
    }

    private Statement Statement(TokenCursor cursor, SourcePosition at)
    {
        Token first = cursor.Next("a statement after the time");
        if (first.Is("expect"))
        {
            Expectation e = ExpectationParser.Parse(cursor, _scope);
            cursor.End("the expectation");
            return e;
        }

        if (first.Is("net")) return NetworkEventParser.Parse(cursor, _scope);
        string host = _scope.Host(first, "a host name, 'net' or 'expect'");
        return _calls.Parse(host, cursor, at);
    }

    /// <summary>The first standalone '=' separates the statement from its result.</summary>
    private static int IndexOfEquals(IReadOnlyList<Token> tokens)
    {
        for (int i = 1; i < tokens.Count; i++)
        {
            if (!tokens[i].Quoted && tokens[i].Text == "=") return i;
        }

        return -1;
    }

    private static string Describe(Statement statement) => statement switch
    {
        Expectation => "an expectation",
        NetworkStatement => "a network event",
        KillCall => "kill",
        HostStatement h => h.GetType().Name.Replace("Call", "", StringComparison.Ordinal).ToLowerInvariant(),
        _ => statement.GetType().Name,
    };
}
