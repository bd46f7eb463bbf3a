using System.Net;
using Teardown.Model;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

public class FormatDocumentExampleTests
{
    /// <summary>The example of scenario-format.md, verbatim.</summary>
    public const string Example = """
        scenario "half-closed FIN_WAIT2 never times out; close() hands it to tcp_fin_timeout"
        host client
        host server
        sysctl client net.ipv4.tcp_fin_timeout=2

        0       server listen L 8080
        0       client connect C server:8080          = 0
        +0.01   server accept S L                     = 0
        +0.1    client shutdown C WR                  = 0
        +0.1    expect C FIN_WAIT2 timer=none orphan=no
        +0      expect S CLOSE_WAIT recvq=1           # the FIN counts in Recv-Q until the app reads EOF
        +0      expect packets client->server S . F.
        10      expect C FIN_WAIT2 timer=none         # tcp_fin_timeout does not apply: not orphaned
        +0      client close C                        = 0
        +0.1    expect C FIN_WAIT2 timer=timewait expires=1.9 orphan=yes
        +3      expect C GONE                         # reaped silently
        +0      server send S 10                      = 10
        +0.1    expect packets client->server R       # no socket any more: a bare reset
        +0      expect S CLOSE
        +0      server send S 1                       = -1 EPIPE    # a reset in CLOSE_WAIT reports EPIPE
        +0      server recv S 10                      = 0           # end of stream was already queued
        +0      server error S                        = 0           # the error was consumed by send
        """;

    [Fact]
    public void The_format_document_example_parses()
    {
        Scenario s = ParseAssert.Parses(Example);

        Assert.Equal("half-closed FIN_WAIT2 never times out; close() hands it to tcp_fin_timeout", s.Title);
        Assert.Equal(["client", "server"], s.Hosts.Select(h => h.Name));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), s.Host("client").Address);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), s.Host("server").Address);
        SysctlDecl sysctl = Assert.Single(s.Sysctls);
        Assert.Equal(("client", "net.ipv4.tcp_fin_timeout", "2", "tcp_fin_timeout"), (sysctl.Host, sysctl.Key, sysctl.Value, sysctl.ShortKey));
        Assert.Equal(Tolerance.Default, s.Tolerance);
        Assert.Equal(17, s.Timeline.Count);
        Assert.Equal(["L", "C", "S"], s.Sockets.Values.OrderBy(d => d.DeclaredAt.Line).Select(d => d.Name));
        Assert.Equal(new SocketDecl("S", "server", new SourcePosition(8, 1), SocketRole.Accepted), s.Sockets["S"]);
    }

    [Fact]
    public void The_example_times_resolve_to_absolute_seconds()
    {
        Scenario s = ParseAssert.Parses(Example);

        double[] expected = [0, 0, 0.01, 0.11, 0.21, 0.21, 0.21, 10, 10, 10.1, 13.1, 13.1, 13.2, 13.2, 13.2, 13.2, 13.2];
        Assert.Equal(expected, s.Timeline.Select(l => Math.Round(l.At.TotalSeconds, 6)));
    }

    [Fact]
    public void The_example_statements_and_results_are_what_the_text_says()
    {
        Scenario s = ParseAssert.Parses(Example);

        Assert.Equal(new ListenCall("server", "L", 8080, null), s.Timeline[0].Statement);
        Assert.Null(s.Timeline[0].Result);
        Assert.Equal(new ConnectCall("client", "C", "server", 8080), s.Timeline[1].Statement);
        Assert.Equal(new ExpectedResult(0, Errno.None), s.Timeline[1].Result);
        Assert.Equal(new ExpectSocket("C", TcpState.FinWait2, TimerKind.Timewait, TimeSpan.FromSeconds(1.9), null, null, true), s.Timeline[9].Statement);
        var packets = Assert.IsType<ExpectPackets>(s.Timeline[6].Statement);
        Assert.Equal([TcpFlags.Syn, TcpFlags.Ack, TcpFlags.Fin | TcpFlags.Ack], packets.Flags);
        Assert.True(Assert.IsType<ExpectSocket>(s.Timeline[10].Statement).ExpectsGone);
        Assert.Equal(new ExpectedResult(-1, Errno.EPIPE), s.Timeline[14].Result);
        Assert.Equal("+0      server error S                        = 0", s.Timeline[16].Text);
        Assert.Equal(new SourcePosition(7, 1), s.Timeline[1].Where);
    }
}
