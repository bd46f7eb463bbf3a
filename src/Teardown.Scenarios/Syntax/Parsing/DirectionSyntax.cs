namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>A direction between two hosts: <c>A-&gt;B</c> or both ways <c>A&lt;-&gt;B</c>.</summary>
internal readonly record struct Direction(string From, string To, bool BothWays);

/// <summary>Parses directions; names cannot contain '&lt;' or '&gt;', so the one '&gt;' splits the token.</summary>
internal static class DirectionSyntax
{
    /// <param name="allowSameHost">
    /// true for what a host sends to itself over its loopback (<c>expect packets A-&gt;A</c>); network events
    /// cannot name it: loopback is not the scenario network, nothing on it is delayed or dropped.
    /// </param>
    public static Direction Parse(Token token, NameScope scope, bool allowOneWay, bool allowBothWays, bool allowSameHost = false)
    {
        string shape = (allowOneWay, allowBothWays) switch
        {
            (true, true) => "A->B or A<->B",
            (true, false) => "A->B",
            _ => "A<->B",
        };
        string text = token.Text;
        int gt = text.IndexOf('>');
        if (token.Quoted || gt < 1 || text[gt - 1] != '-') throw TokenCursor.Fail(token, $"a direction {shape} between declared hosts");
        bool both = gt >= 2 && text[gt - 2] == '<';
        int fromEnd = both ? gt - 2 : gt - 1;
        if (both && !allowBothWays) throw TokenCursor.Fail(token, $"a one-way direction {shape}");
        if (!both && !allowOneWay) throw TokenCursor.Fail(token, $"both directions {shape} (this event applies to both)");

        string from = scope.Host(new Token(text[..fromEnd], token.Column, false), "a declared host before the arrow");
        var toToken = new Token(text[(gt + 1)..], token.Column + gt + 1, false);
        string to = scope.Host(toToken, "a declared host after the arrow");
        if (from == to && !allowSameHost) throw TokenCursor.Fail(toToken, $"a host other than {from} after the arrow");
        return new Direction(from, to, both);
    }
}
