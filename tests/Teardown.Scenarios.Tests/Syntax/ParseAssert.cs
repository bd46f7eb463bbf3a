using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

/// <summary>Helpers that parse a scenario and fail with the diagnostics when the outcome is not the expected one.</summary>
internal static class ParseAssert
{
    public const string TwoHosts = "host client\nhost server\n";

    public static Scenario Parses(string text)
    {
        ParseResult result = ScenarioParser.Parse(text, "t.scn");
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Diagnostics);
        return result.Scenario!;
    }

    /// <summary>The one statement of a scenario made of two hosts, a listener/connection setup and <paramref name="line"/>.</summary>
    public static TimedLine LastLine(string timeline) => Parses(TwoHosts + timeline).Timeline[^1];

    public static Diagnostic FailsOnce(string text)
    {
        ParseResult result = ScenarioParser.Parse(text, "t.scn");
        Assert.False(result.Succeeded);
        Assert.Null(result.Scenario);
        return Assert.Single(result.Diagnostics);
    }

    public static void Error(string text, string expected) => Assert.Equal(expected, FailsOnce(text).ToString());
}
