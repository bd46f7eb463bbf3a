using CsCheck;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

/// <summary>Random input never makes the parser throw, and every diagnostic points inside the text.</summary>
public class GarbagePropertyTests
{
    private static readonly string[] s_vocabulary =
    [
        "host", "sysctl", "link", "tolerance", "scenario", "net", "expect", "packets", "counter", "drop", "pass", "delay",
        "listen", "connect", "accept", "send", "recv", "shutdown", "close", "error", "setsockopt", "kill", "release", "destroy", "crash", "reboot",
        "a", "b", "C", "L", "a:1", "b:80", "a->b", "a<->b", "->", "<->", "=", "-1", "0", "1.5", "+0.1", "200ms", "1...2", "3...1",
        "EPIPE", "FIN_WAIT2", "GONE", "timer=none", "expires=1", "recvq=1", "orphan=yes", "S.", "F.", "R", ".", "SO_LINGER", "on",
        "TCP_LINGER2", "WR", "\"", "\"x y\"", "#", "addr=1.2.3.4", "delay=1ms", "5%", "tcp_fin_timeout=3", "ip_local_port_range=\"1 2\"",
        "99999999999999999999999", "+99999999999999999999", "\t", "é", "\0",
    ];

    private static readonly Gen<string> s_word = Gen.OneOf(
        Gen.OneOf(s_vocabulary),
        Gen.String[Gen.Char["abLCS09.+-=<>#\":%_ \tms"], 0, 12]);

    private static readonly Gen<string> s_line = s_word.Array[0, 8].Select(words => string.Join(' ', words));

    private static readonly Gen<string> s_file = s_line.Array[0, 12].Select(lines => string.Join('\n', lines));

    private const string Header = "host a\nhost b\n0 b listen L 1\n0 a connect C b:1\n";

    [Fact]
    public void Random_text_never_throws_and_diagnostics_point_inside_the_text() =>
        s_file.Sample(text => AssertPositionsValid(text, ScenarioParser.Parse(text, "g.scn")), iter: 3000);

    [Fact]
    public void Random_lines_after_a_valid_header_never_throw() =>
        s_file.Sample(lines => AssertPositionsValid(Header + lines, ScenarioParser.Parse(Header + lines, "g.scn")), iter: 3000);

    [Fact]
    public void A_garbage_line_that_starts_with_no_keyword_or_time_always_yields_a_diagnostic_on_that_line() =>
        s_line.Sample(garbage =>
        {
            string text = Header + "@" + garbage;
            ParseResult r = ScenarioParser.Parse(text, "g.scn");
            Assert.False(r.Succeeded);
            Assert.Contains(r.Diagnostics, d => d.Line == 5);
            AssertPositionsValid(text, r);
        }, iter: 1000);

    private static void AssertPositionsValid(string text, ParseResult result)
    {
        Assert.Equal(result.Succeeded, result.Diagnostics.Count == 0);
        string[] lines = text.Split('\n');
        foreach (Diagnostic d in result.Diagnostics)
        {
            Assert.Equal("g.scn", d.File);
            Assert.InRange(d.Line, 1, lines.Length);
            Assert.InRange(d.Column, 1, lines[d.Line - 1].Length + 1);
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
        }
    }
}
