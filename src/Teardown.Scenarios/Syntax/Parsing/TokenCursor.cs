namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>Walks the tokens of one statement, failing with "expected …, found …" at the right column.</summary>
internal sealed class TokenCursor
{
    private readonly IReadOnlyList<Token> _tokens;
    private int _next;

    public TokenCursor(IReadOnlyList<Token> tokens, int endColumn, string endText = "end of line")
    {
        _tokens = tokens;
        EndColumn = endColumn;
        EndText = endText;
    }

    /// <summary>What follows the last token: "end of line", or "'='" when a result follows the statement.</summary>
    public string EndText { get; }

    /// <summary>The column just after the statement, where "found end of line" errors point.</summary>
    public int EndColumn { get; }

    public bool AtEnd => _next >= _tokens.Count;

    public Token Peek() => AtEnd ? throw new InvalidOperationException("no more tokens") : _tokens[_next];

    /// <summary>The next token; <paramref name="expected"/> describes it for the error at end of line.</summary>
    public Token Next(string expected)
    {
        if (AtEnd) throw new LineSyntaxException(EndColumn, $"expected {expected}, found {EndText}");
        return _tokens[_next++];
    }

    /// <summary>The next token, which must be one of the keywords (case-insensitive); returns it in lower case.</summary>
    public string Keyword(string expected, params string[] keywords)
    {
        Token t = Next(expected);
        foreach (string k in keywords)
        {
            if (t.Is(k)) return k;
        }

        throw Fail(t, expected);
    }

    /// <summary>Fails unless every token has been consumed.</summary>
    public void End(string after)
    {
        if (!AtEnd)
        {
            Token t = _tokens[_next];
            throw new LineSyntaxException(t.Column, $"expected end of line after {after}, found {t.Shown}");
        }
    }

    public static LineSyntaxException Fail(Token found, string expected) =>
        new(found.Column, $"expected {expected}, found {found.Shown}");
}
