namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary><c>net drop|pass A-&gt;B</c> (or <c>A&lt;-&gt;B</c>) and <c>net delay A&lt;-&gt;B DUR</c>.</summary>
internal static class NetworkEventParser
{
    public static NetworkStatement Parse(TokenCursor cursor, NameScope scope)
    {
        string verb = cursor.Keyword("a network event (drop, pass, delay)", "drop", "pass", "delay");
        Token directionToken = cursor.Next(verb == "delay" ? "A<->B" : "A->B or A<->B");
        NetworkStatement statement;
        if (verb == "delay")
        {
            Direction d = DirectionSyntax.Parse(directionToken, scope, allowOneWay: false, allowBothWays: true);
            TimeSpan delay = NumberSyntax.Duration(cursor.Next("the new one-way delay"), "the new one-way delay, " + NumberSyntax.DurationExamples);
            statement = new NetDelay(d.From, d.To, delay);
        }
        else
        {
            Direction d = DirectionSyntax.Parse(directionToken, scope, allowOneWay: true, allowBothWays: true);
            statement = verb == "drop" ? new NetDrop(d.From, d.To, d.BothWays) : new NetPass(d.From, d.To, d.BothWays);
        }

        cursor.End("net " + verb);
        return statement;
    }
}
