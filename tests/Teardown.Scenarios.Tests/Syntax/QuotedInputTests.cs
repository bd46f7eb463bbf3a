using CsCheck;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

/// <summary>
/// What a diagnostic quotes from the file reaches a terminal: control and bidirectional characters are
/// shown as escapes, so one diagnostic is one line that reads as the file holds it, and long tokens are cut.
/// </summary>
public class QuotedInputTests
{
    [Fact]
    public void A_right_to_left_override_in_a_token_is_shown_as_an_escape() =>
        ParseAssert.Error("host a\u202Eb", "t.scn:1:6: expected a host name (letters, digits, '_', '.', '-', starting with a letter or '_'), found 'a\\u202Eb'");

    [Theory]
    [InlineData("\u202A", "\\u202A")]
    [InlineData("\u202B", "\\u202B")]
    [InlineData("\u202C", "\\u202C")]
    [InlineData("\u202D", "\\u202D")]
    [InlineData("\u2066", "\\u2066")]
    [InlineData("\u2067", "\\u2067")]
    [InlineData("\u2068", "\\u2068")]
    [InlineData("\u2069", "\\u2069")]
    [InlineData("\u200F", "\\u200F")] // RIGHT-TO-LEFT MARK (Cf)
    [InlineData("\u200B", "\\u200B")] // ZERO WIDTH SPACE (Cf)
    [InlineData("\u001B[31m", "\\u001B[31m")] // an ANSI colour sequence
    [InlineData("\u0007", "\\u0007")]
    [InlineData("\u0000", "\\u0000")]
    [InlineData("\r", "\\r")]
    [InlineData("\u0085", "\\u0085")] // NEXT LINE (Cc)
    [InlineData("\u2028", "\\u2028")] // LINE SEPARATOR
    public void Control_and_format_characters_are_escaped(string hidden, string shown) =>
        ParseAssert.Error($"hots{hidden}x", $"t.scn:1:1: expected a header statement (scenario, host, sysctl, link, tolerance) or a time (e.g. 0, 1.5, +0.1, 200ms, 0.5...3.5), found 'hots{shown}x'");

    [Fact]
    public void A_quoted_token_keeps_its_quotes_and_is_escaped_too() =>
        ParseAssert.Error("host \"a\u2066b\"", "t.scn:1:6: expected a host name (letters, digits, '_', '.', '-', starting with a letter or '_'), found \"a\\u2066b\"");

    [Fact]
    public void Letters_of_any_script_are_kept() =>
        ParseAssert.Error("host é中", "t.scn:1:6: expected a host name (letters, digits, '_', '.', '-', starting with a letter or '_'), found 'é中'");

    [Fact]
    public void A_very_long_token_is_cut_after_40_characters()
    {
        string token = "9" + new string('x', 10_000);
        Diagnostic d = ParseAssert.FailsOnce("host " + token);
        Assert.EndsWith($"found '{token[..40]}…'", d.Message, StringComparison.Ordinal);
        Assert.True(d.ToString().Length < 200, d.ToString());
    }

    [Fact]
    public void A_token_of_exactly_40_characters_is_not_cut()
    {
        string token = "9" + new string('x', 39);
        Assert.EndsWith($"found '{token}'", ParseAssert.FailsOnce("host " + token).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cutting_never_splits_a_surrogate_pair()
    {
        string token = "9" + string.Concat(Enumerable.Repeat("😀", 60));
        string message = ParseAssert.FailsOnce("host " + token).Message;
        Assert.EndsWith("9" + string.Concat(Enumerable.Repeat("😀", 39)) + "…'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_quoted_by_header_and_time_errors_are_escaped_and_cut()
    {
        Assert.EndsWith("found '10.1\\u202E'", ParseAssert.FailsOnce("host a addr=10.1\u202E").Message, StringComparison.Ordinal);
        Assert.EndsWith("found '" + new string('1', 40) + "…'", ParseAssert.FailsOnce("host a addr=" + new string('1', 50)).Message, StringComparison.Ordinal);
        Assert.EndsWith("found 'x\\u0007'", ParseAssert.FailsOnce("host a\nsysctl a x\u0007=1").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_name_is_escaped_in_the_diagnostic_line() =>
        Assert.Equal("bad\\nname.scn:1:1: expected a header statement", new Diagnostic("bad\nname.scn", 1, 1, "expected a header statement").ToString());

    private static readonly Gen<string> s_nasty = Gen.String[Gen.OneOf(
        Gen.Char['\u0000', '\u001F'], Gen.Char['\u202A', '\u202E'], Gen.Char['\u2066', '\u2069'], Gen.Const('\u200F'), Gen.Const('\uFEFF'),
        Gen.Const('\u2028'), Gen.Char['a', 'z'], Gen.Const(' '), Gen.Const('"'), Gen.Const('\uD800')), 0, 80];

    [Fact]
    public void No_diagnostic_ever_carries_a_control_or_format_character() =>
        s_nasty.Sample(garbage =>
        {
            foreach (string text in new[] { garbage, "host " + garbage, "host a\n0 a listen L " + garbage, "host a addr=" + garbage })
            {
                foreach (Diagnostic d in ScenarioParser.Parse(text, "n.scn").Diagnostics)
                {
                    string shown = d.ToString();
                    Assert.DoesNotContain(shown, c => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Control
                        or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator
                        or System.Globalization.UnicodeCategory.Surrogate);
                }
            }
        }, iter: 2000);
}
