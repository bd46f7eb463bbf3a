using Teardown.Model;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

public class StatementFormTests
{
    private const string Connected = """
        host client
        host server
        0 server listen L 80
        0 client connect C server:80
        0 server accept S L

        """;

    private static Statement Last(string line) => ParseAssert.Parses(Connected + line).Timeline[^1].Statement;

    private static TimedLine LastLine(string line) => ParseAssert.Parses(Connected + line).Timeline[^1];

    [Fact]
    public void Listen_with_backlog() =>
        Assert.Equal(new ListenCall("server", "L2", 81, 7), Last("1 server listen L2 81 backlog=7"));

    [Fact]
    public void Connect_names_peer_and_port() =>
        Assert.Equal(new ConnectCall("client", "C2", "server", 65535), Last("1 client connect C2 server:65535"));

    [Fact]
    public void Connect_to_own_host_is_allowed() =>
        Assert.Equal(new ConnectCall("server", "Self", "server", 80), Last("1 server connect Self server:80"));

    [Fact]
    public void Accept_names_socket_and_listener() =>
        Assert.Equal(new AcceptCall("server", "S2", "L"), Last("1 server accept S2 L"));

    [Fact]
    public void Send_and_recv_take_byte_counts()
    {
        Assert.Equal(new SendCall("client", "C", 100), Last("1 client send C 100"));
        Assert.Equal(new RecvCall("server", "S", 0), Last("1 server recv S 0"));
    }

    [Theory]
    [InlineData("RD", ShutdownHow.Read)]
    [InlineData("wr", ShutdownHow.Write)]
    [InlineData("RdWr", ShutdownHow.ReadWrite)]
    [InlineData("SHUT_WR", ShutdownHow.Write)]
    public void Shutdown_directions_are_case_insensitive(string how, ShutdownHow expected) =>
        Assert.Equal(new ShutdownCall("client", "C", expected), Last($"1 client shutdown C {how}"));

    [Fact]
    public void Close_error_and_kill()
    {
        Assert.Equal(new CloseCall("client", "C"), Last("1 client close C"));
        Assert.Equal(new ErrorCall("server", "S"), Last("1 server error S"));
        Assert.Equal(new KillCall("server"), Last("1 server kill"));
    }

    [Theory]
    [InlineData("SO_LINGER on 0", SocketOption.SoLinger, true, 0)]
    [InlineData("so_linger ON 5", SocketOption.SoLinger, true, 5)]
    [InlineData("SO_LINGER off 3", SocketOption.SoLinger, false, 3)]
    [InlineData("SO_LINGER off", SocketOption.SoLinger, false, 0)]
    [InlineData("TCP_LINGER2 -1", SocketOption.TcpLinger2, false, -1)]
    [InlineData("TCP_LINGER2 0", SocketOption.TcpLinger2, false, 0)]
    [InlineData("TCP_LINGER2 30", SocketOption.TcpLinger2, false, 30)]
    [InlineData("SO_KEEPALIVE on", SocketOption.SoKeepalive, true, 0)]
    [InlineData("SO_KEEPALIVE off", SocketOption.SoKeepalive, false, 0)]
    [InlineData("TCP_KEEPIDLE 10", SocketOption.TcpKeepIdle, false, 10)]
    [InlineData("TCP_KEEPINTVL 2", SocketOption.TcpKeepIntvl, false, 2)]
    [InlineData("TCP_KEEPCNT 3", SocketOption.TcpKeepCnt, false, 3)]
    [InlineData("TCP_USER_TIMEOUT 1500", SocketOption.TcpUserTimeout, false, 1500)]
    public void Setsockopt_forms(string args, SocketOption option, bool on, long value) =>
        Assert.Equal(new SetSockOptCall("client", "C", option, on, value), Last($"1 client setsockopt C {args}"));

    [Fact]
    public void Net_drop_and_pass_one_way_and_both_ways()
    {
        Assert.Equal(new NetDrop("client", "server", false), Last("1 net drop client->server"));
        Assert.Equal(new NetDrop("server", "client", true), Last("1 net drop server<->client"));
        Assert.Equal(new NetPass("client", "server", false), Last("1 NET PASS client->server"));
        Assert.Equal(new NetPass("client", "server", true), Last("1 net pass client<->server"));
    }

    [Fact]
    public void Net_delay_takes_a_duration() =>
        Assert.Equal(new NetDelay("client", "server", TimeSpan.FromMilliseconds(20)), Last("1 net delay client<->server 20ms"));

    [Fact]
    public void Crash_then_reboot()
    {
        Scenario s = ParseAssert.Parses(Connected + "1 server crash\n2 server reboot");
        Assert.Equal(new CrashHost("server"), s.Timeline[^2].Statement);
        Assert.Equal(new RebootHost("server"), s.Timeline[^1].Statement);
    }

    [Fact]
    public void Expect_socket_with_every_attribute() =>
        Assert.Equal(
            new ExpectSocket("S", TcpState.LastAck, TimerKind.Retransmit, TimeSpan.FromMilliseconds(200), 3, 4, false),
            Last("1 expect S last_ack timer=retransmit expires=200ms recvq=3 sendq=4 orphan=no"));

    [Fact]
    public void Expect_socket_gone_has_no_state() =>
        Assert.Equal(new ExpectSocket("C", null, null, null, null, null, null), Last("1 expect C gone"));

    [Theory]
    [InlineData("ESTABLISHED", TcpState.Established)]
    [InlineData("syn_sent", TcpState.SynSent)]
    [InlineData("SYN_RECV", TcpState.SynRecv)]
    [InlineData("FIN_WAIT1", TcpState.FinWait1)]
    [InlineData("TIME_WAIT", TcpState.TimeWait)]
    [InlineData("CLOSE", TcpState.Close)]
    [InlineData("LISTEN", TcpState.Listen)]
    [InlineData("closing", TcpState.Closing)]
    public void Expect_socket_states(string name, TcpState state) =>
        Assert.Equal(state, Assert.IsType<ExpectSocket>(Last($"1 expect C {name}")).State);

    [Fact]
    public void Expect_counter() =>
        Assert.Equal(new ExpectCounter("server", "TCPAbortOnData", 2), Last("1 expect server counter TCPAbortOnData 2"));

    [Fact]
    public void Expect_packets_with_several_flag_sets()
    {
        var p = Assert.IsType<ExpectPackets>(Last("1 expect packets server->client S. . P. F. R"));
        Assert.Equal(("server", "client"), (p.From, p.To));
        Assert.Equal([TcpFlags.Syn | TcpFlags.Ack, TcpFlags.Ack, TcpFlags.Psh | TcpFlags.Ack, TcpFlags.Fin | TcpFlags.Ack, TcpFlags.Rst], p.Flags);
    }

    [Fact]
    public void Expect_packets_with_no_flags_means_nothing_was_sent() =>
        Assert.Empty(Assert.IsType<ExpectPackets>(Last("1 expect packets client->server")).Flags);

    [Fact]
    public void A_socket_may_be_called_packets()
    {
        Scenario s = ParseAssert.Parses(Connected + "1 client connect packets server:80\n2 expect packets SYN_SENT");
        Assert.Equal("packets", Assert.IsType<ExpectSocket>(s.Timeline[^1].Statement).Socket);
    }

    [Theory]
    [InlineData("= 0", 0, Errno.None)]
    [InlineData("= -1 ECONNREFUSED", -1, Errno.ECONNREFUSED)]
    public void Connect_results(string result, long value, Errno errno) =>
        Assert.Equal(new ExpectedResult(value, errno), LastLine($"1 client connect C2 server:80 {result}").Result);

    [Fact]
    public void Send_result_is_a_byte_count() =>
        Assert.Equal(new ExpectedResult(7, Errno.None), LastLine("1 client send C 10 = 7").Result);

    [Fact]
    public void Error_result_may_be_a_bare_errno()
    {
        TimedLine line = LastLine("1 server error S = econnreset");
        Assert.Equal(new ExpectedResult(0, Errno.ECONNRESET), line.Result);
        Assert.Equal("ECONNRESET", line.Result!.ToString());
    }

    [Fact]
    public void A_line_without_result_records_none() => Assert.Null(LastLine("1 client close C").Result);

    [Fact]
    public void Keywords_are_case_insensitive_but_names_are_not()
    {
        Scenario s = ParseAssert.Parses("HOST a\nHost A\n0 a LISTEN l 1\n0 A Connect l2 a:1\n0 EXPECT l2 Syn_Sent");
        Assert.Equal(["a", "A"], s.Hosts.Select(h => h.Name));
        Assert.Equal("A", s.Sockets["l2"].Host);
    }

    [Fact]
    public void Comments_and_blank_lines_are_ignored()
    {
        Scenario s = ParseAssert.Parses("# a comment\n\n   \t\nhost a # trailing\n0 a listen L 1# glued comment\n");
        Assert.Single(s.Timeline);
        Assert.Equal("0 a listen L 1", s.Timeline[0].Text);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_accepted() =>
        Assert.Equal(2, ParseAssert.Parses("\uFEFFhost a\r\n0 a listen L 1\r\n0 a kill\r\n").Timeline.Count);
}
