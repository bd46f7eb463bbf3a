using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

/// <summary>Each error class gives an exact <c>FILE:LINE:COLUMN: message</c>, pointing at the offending token.</summary>
public class DiagnosticTests
{
    private const string H = "host client\nhost server\n";
    private const string Connected = H + "0 server listen L 80\n0 client connect C server:80\n0 server accept S L\n";

    [Fact]
    public void Unknown_header_or_statement_start() =>
        ParseAssert.Error("hots client",
            "t.scn:1:1: expected a header statement (scenario, host, sysctl, link, tolerance) or a time (e.g. 0, 1.5, +0.1, 200ms, 0.5...3.5), found 'hots'");

    [Fact]
    public void Header_after_the_first_timed_line() =>
        ParseAssert.Error(H + "0 server listen L 80\n  host late",
            "t.scn:4:3: expected a timed line, found header statement 'host': the header comes before the first timed line (line 3)");

    [Fact]
    public void Second_title() =>
        ParseAssert.Error("scenario \"a\"\nscenario \"b\"",
            "t.scn:2:1: expected one 'scenario' title, found a second one (the first is at line 1)");

    [Fact]
    public void Unquoted_title() =>
        ParseAssert.Error("scenario title", "t.scn:1:10: expected a quoted title, e.g. scenario \"what this shows\", found 'title'");

    [Fact]
    public void Unterminated_quote() =>
        ParseAssert.Error("scenario \"title", "t.scn:1:10: expected a closing '\"' for this quote, found end of line");

    [Fact]
    public void Invalid_host_name() =>
        ParseAssert.Error("host 9lives",
            "t.scn:1:6: expected a host name (letters, digits, '_', '.', '-', starting with a letter or '_'), found '9lives'");

    [Fact]
    public void Reserved_host_name() =>
        ParseAssert.Error("host NET", "t.scn:1:6: expected a host name other than 'net' and 'expect' (they start timed statements), found 'NET'");

    [Fact]
    public void Duplicate_host() =>
        ParseAssert.Error(H + "host client", "t.scn:3:6: expected a new host name, found 'client', already declared at line 1");

    [Fact]
    public void Bad_address() =>
        ParseAssert.Error("host a addr=10.1", "t.scn:1:13: expected an IPv4 address in dotted-quad form (e.g. 192.0.2.10), found '10.1'");

    [Fact]
    public void Duplicate_address() =>
        ParseAssert.Error("host a addr=10.0.0.1\nhost b addr=10.0.0.1",
            "t.scn:2:13: expected an address no other host uses, found 10.0.0.1, already the address of host a (line 1)");

    [Fact]
    public void Unknown_host_option() => ParseAssert.Error("host a port=1", "t.scn:1:8: expected addr=IPV4 or end of line, found 'port=1'");

    [Fact]
    public void Sysctl_for_an_undeclared_host() =>
        ParseAssert.Error(H + "sysctl clinet tcp_fin_timeout=3", "t.scn:3:8: expected a declared host (declared: client, server), found 'clinet'");

    [Fact]
    public void Unknown_sysctl() =>
        Assert.StartsWith("t.scn:3:15: expected a known sysctl (tcp_fin_timeout, tcp_orphan_retries,",
            ParseAssert.FailsOnce(H + "sysctl client net.ipv4.tcp_fin_timeoutt=3").ToString());

    [Fact]
    public void Non_integer_sysctl_value() =>
        ParseAssert.Error(H + "sysctl client tcp_fin_timeout=3s", "t.scn:3:31: expected an integer value for tcp_fin_timeout, found '3s'");

    [Fact]
    public void Sysctl_without_equals() =>
        ParseAssert.Error(H + "sysctl client tcp_fin_timeout", "t.scn:3:15: expected KEY=VALUE, e.g. net.ipv4.tcp_fin_timeout=3, found 'tcp_fin_timeout'");

    [Fact]
    public void Port_range_needs_two_ordered_ports() =>
        ParseAssert.Error(H + "sysctl client ip_local_port_range=\"60999 32768\"",
            "t.scn:3:35: expected two ports LOW <= HIGH in quotes, e.g. ip_local_port_range=\"32768 60999\", found '60999 32768'");

    [Fact]
    public void Same_sysctl_twice_for_a_host() =>
        ParseAssert.Error(H + "sysctl client tcp_retries2=3\nsysctl client net.ipv4.tcp_retries2=4",
            "t.scn:4:15: expected each sysctl once per host, found tcp_retries2 for client again (first set at line 3)");

    [Fact]
    public void Link_to_itself() => ParseAssert.Error(H + "link client client", "t.scn:3:13: expected a host other than client (a link joins two hosts), found 'client'");

    [Fact]
    public void Link_with_bad_delay() => ParseAssert.Error(H + "link client server delay=fast",
        "t.scn:3:26: expected a duration (e.g. 3, 0.2, 200ms, 10us), found 'fast'");

    [Fact]
    public void Second_link_between_the_same_hosts() => ParseAssert.Error(H + "link client server\nlink server client",
        "t.scn:4:6: expected one link between server and client, found a second (the first is at line 3)");

    [Fact]
    public void Bad_tolerance_percentage() =>
        ParseAssert.Error("tolerance 10ms five%", "t.scn:1:16: expected a percentage 0..100 followed by %, e.g. 5%, found 'five%'");

    [Fact]
    public void Bad_time() =>
        ParseAssert.Error(H + "1.5.2 client kill", "t.scn:3:1: expected a time (e.g. 0, 1.5, +0.1, 200ms, 0.5...3.5), found '1.5.2'");

    [Fact]
    public void Absurdly_large_time() =>
        ParseAssert.Error(H + "99999999999999999999999 client kill",
            "t.scn:3:1: expected a time (e.g. 0, 1.5, +0.1, 200ms, 0.5...3.5), found '99999999999999999999999'");

    [Fact]
    public void Bad_relative_time() =>
        ParseAssert.Error(H + "+x client kill", "t.scn:3:1: expected a time (e.g. 0, 1.5, +0.1, 200ms, 0.5...3.5), found '+x'");

    [Fact]
    public void Time_going_backwards() =>
        ParseAssert.Error(H + "2 client kill\n   1.5 client kill",
            "t.scn:4:4: expected a time at or after 2.000s (the previous timed line; times never decrease), found 1.500s");

    [Fact]
    public void Blocking_end_before_start() =>
        ParseAssert.Error(H + "3...2 client connect C server:1", "t.scn:3:5: expected an END time at or after START 3.000s, found 2.000s");

    [Fact]
    public void Blocking_form_on_a_call_that_does_not_block() =>
        ParseAssert.Error(Connected + "1...2 client send C 1",
            "t.scn:6:5: expected a plain time: START...END marks a blocking call and only connect and close block, found send");

    [Fact]
    public void Unknown_host_in_a_timed_line() =>
        ParseAssert.Error(H + "0 sever listen L 1", "t.scn:3:3: expected a host name, 'net' or 'expect' (declared: client, server), found 'sever'");

    [Fact]
    public void Unknown_call() =>
        Assert.Equal("t.scn:3:10: expected a call (listen, connect, accept, send, recv, shutdown, close, error, setsockopt, kill, release, destroy, crash, reboot), found 'lisen'",
            ParseAssert.FailsOnce(H + "0 server lisen L 1").ToString());

    [Fact]
    public void Missing_argument_points_after_the_statement() =>
        ParseAssert.Error(H + "0 server listen L", "t.scn:3:18: expected a port number, found end of line");

    [Fact]
    public void Missing_argument_before_a_result_points_at_the_equals() =>
        ParseAssert.Error(H + "0 server listen L = 0", "t.scn:3:19: expected a port number, found '='");

    [Fact]
    public void Port_out_of_range() =>
        ParseAssert.Error(H + "0 server listen L 70000", "t.scn:3:19: expected a port number (a whole number 1..65535), found '70000'");

    [Fact]
    public void Extra_tokens_after_a_statement() =>
        ParseAssert.Error(Connected + "1 client close C now", "t.scn:6:18: expected end of line after close, found 'now'");

    [Fact]
    public void Unknown_socket() =>
        ParseAssert.Error(H + "0 client close C", "t.scn:3:16: expected a socket created by an earlier listen, connect or accept (none created yet), found 'C'");

    [Fact]
    public void Socket_used_by_another_host() =>
        ParseAssert.Error(Connected + "1 server close C", "t.scn:6:16: socket C belongs to host client, not server");

    [Fact]
    public void Socket_name_reused_for_a_new_socket() =>
        ParseAssert.Error(Connected + "1 server listen C 81",
            "t.scn:6:17: expected a new socket name, found 'C', already created on host client at line 4 (a name is created once)");

    [Fact]
    public void Accept_from_a_socket_that_is_not_a_listener() =>
        ParseAssert.Error(Connected + "1 server accept S2 S",
            "t.scn:6:20: expected a listener, found S, a connection created by accept at line 5");

    [Fact]
    public void Connect_to_an_undeclared_peer() =>
        ParseAssert.Error(H + "0 client connect C serv:80", "t.scn:3:20: expected a declared host before ':' (declared: client, server), found 'serv'");

    [Fact]
    public void Connect_without_port() =>
        ParseAssert.Error(H + "0 client connect C server", "t.scn:3:20: expected PEER:PORT, e.g. server:8080, found 'server'");

    [Fact]
    public void Connect_port_column_points_after_the_colon() =>
        ParseAssert.Error(H + "0 client connect C server:0", "t.scn:3:27: expected a port number (a whole number 1..65535), found '0'");

    [Fact]
    public void Bad_shutdown_direction() =>
        ParseAssert.Error(Connected + "1 client shutdown C BOTH", "t.scn:6:21: expected RD, WR or RDWR, found 'BOTH'");

    [Fact]
    public void Unknown_socket_option() =>
        Assert.StartsWith("t.scn:6:23: expected a socket option (SO_LINGER,", ParseAssert.FailsOnce(Connected + "1 client setsockopt C SO_REUSEADDR 1").ToString());

    [Fact]
    public void Linger_needs_on_or_off() =>
        ParseAssert.Error(Connected + "1 client setsockopt C SO_LINGER yes 1", "t.scn:6:33: expected on or off, found 'yes'");

    [Fact]
    public void Negative_values_only_for_tcp_linger2() =>
        ParseAssert.Error(Connected + "1 client setsockopt C TCP_KEEPIDLE -1", "t.scn:6:36: expected seconds (a whole number 0..2147483647), found '-1'");

    [Fact]
    public void Net_event_with_unknown_verb() =>
        ParseAssert.Error(H + "1 net cut client->server", "t.scn:3:7: expected a network event (drop, pass, delay), found 'cut'");

    [Fact]
    public void Net_drop_with_a_bad_direction() =>
        ParseAssert.Error(H + "1 net drop client-server", "t.scn:3:12: expected a direction A->B or A<->B between declared hosts, found 'client-server'");

    [Fact]
    public void Net_drop_to_an_undeclared_host() =>
        ParseAssert.Error(H + "1 net drop client->srv", "t.scn:3:20: expected a declared host after the arrow (declared: client, server), found 'srv'");

    [Fact]
    public void Net_delay_one_way_is_rejected() =>
        ParseAssert.Error(H + "1 net delay client->server 1ms", "t.scn:3:13: expected both directions A<->B (this event applies to both), found 'client->server'");

    [Fact]
    public void Reboot_without_crash() =>
        ParseAssert.Error(H + "1 server reboot", "t.scn:3:10: expected a crashed host to reboot, found server, which has not crashed (write 'server crash' first)");

    [Fact]
    public void Unknown_state() =>
        Assert.StartsWith("t.scn:6:12: expected a state (ESTABLISHED, SYN_SENT,", ParseAssert.FailsOnce(Connected + "1 expect C FIN_WAIT3").ToString());

    [Fact]
    public void Unknown_attribute() =>
        ParseAssert.Error(Connected + "1 expect C CLOSE state=1",
            "t.scn:6:18: expected an attribute (timer=KIND, expires=DUR, recvq=N, sendq=N, orphan=yes|no), found 'state=1'");

    [Fact]
    public void Bad_timer_kind_points_at_the_value() =>
        ParseAssert.Error(Connected + "1 expect C CLOSE timer=fin", "t.scn:6:24: expected a timer kind (none, retransmit, keepalive, timewait, probe), found 'fin'");

    [Fact]
    public void Repeated_attribute() =>
        ParseAssert.Error(Connected + "1 expect C CLOSE recvq=1 recvq=2", "t.scn:6:26: expected each attribute once, found recvq= a second time");

    [Fact]
    public void Orphan_needs_yes_or_no() =>
        ParseAssert.Error(Connected + "1 expect C CLOSE orphan=true", "t.scn:6:25: expected yes or no, found 'true'");

    [Fact]
    public void Counter_for_an_undeclared_host() =>
        ParseAssert.Error(Connected + "1 expect srv counter X 1", "t.scn:6:10: expected a declared host before 'counter' (declared: client, server), found 'srv'");

    [Fact]
    public void Counter_value_must_be_a_number() =>
        ParseAssert.Error(Connected + "1 expect server counter TCPAbortOnData many",
            "t.scn:6:40: expected the expected counter value (a whole number >= 0), found 'many'");

    [Fact]
    public void Bad_packet_flags() =>
        ParseAssert.Error(Connected + "1 expect packets client->server S. X",
            "t.scn:6:36: expected a flag set written as in tcpdump (S SYN, F FIN, R RST, P PSH, U URG, . ACK; e.g. S. or F.), found 'X'");

    [Fact]
    public void Packets_in_both_directions_are_rejected() =>
        ParseAssert.Error(Connected + "1 expect packets client<->server S", "t.scn:6:18: expected a one-way direction A->B, found 'client<->server'");

    [Fact]
    public void Packets_a_host_sends_itself_are_an_expectation_of_its_loopback()
    {
        var p = Assert.IsType<ExpectPackets>(ParseAssert.LastLine("1 expect packets client->client S").Statement);
        Assert.Equal(("client", "client"), (p.From, p.To));
    }

    [Fact]
    public void The_network_cannot_drop_what_a_host_sends_itself() =>
        ParseAssert.Error(H + "1 net drop client->client", "t.scn:3:20: expected a host other than client after the arrow, found 'client'");

    [Fact]
    public void Result_on_an_expectation() =>
        ParseAssert.Error(Connected + "1 expect C CLOSE = 0", "t.scn:6:18: expected end of line: an expectation has no result, found '='");

    [Fact]
    public void Result_on_a_network_event() =>
        ParseAssert.Error(H + "1 net drop client->server = 0", "t.scn:3:27: expected end of line: a network event has no result, found '='");

    [Fact]
    public void Missing_result_after_equals() =>
        ParseAssert.Error(Connected + "1 client close C =", "t.scn:6:19: expected a result (e.g. 0, 10, -1 EPIPE), found end of line");

    [Fact]
    public void Minus_one_needs_an_errno() =>
        ParseAssert.Error(Connected + "1 client close C = -1", "t.scn:6:22: expected an errno name after -1 (e.g. EPIPE), found end of line");

    [Fact]
    public void Unknown_errno() =>
        ParseAssert.Error(Connected + "1 client close C = -1 EOOPS", "t.scn:6:23: expected an errno name after -1 (e.g. EPIPE, ECONNRESET), found 'EOOPS'");

    [Fact]
    public void Bare_errno_outside_error() =>
        ParseAssert.Error(Connected + "1 client send C 1 = EPIPE", "t.scn:6:21: expected a return value; a bare errno is the result of 'error' only, write -1 EPIPE, found 'EPIPE'");

    [Fact]
    public void Descriptor_number_as_a_connect_result() =>
        ParseAssert.Error(H + "0 client connect C server:1 = 3",
            "t.scn:3:31: expected 0 or -1 ERRNO (calls that create a descriptor report 0, never the descriptor number), found '3'");

    [Fact]
    public void Recv_cannot_return_more_than_asked() =>
        ParseAssert.Error(Connected + "1 server recv S 10 = 11",
            "t.scn:6:22: expected a byte count up to 10 (recv of 10 bytes cannot return more) or -1 ERRNO, found '11'");

    [Fact]
    public void Error_result_is_zero_or_an_errno() =>
        ParseAssert.Error(Connected + "1 server error S = 5", "t.scn:6:20: expected 0 or an errno name (error reports the pending error, e.g. ECONNRESET), found '5'");

    [Fact]
    public void Extra_tokens_after_a_result() =>
        ParseAssert.Error(Connected + "1 client close C = 0 0", "t.scn:6:22: expected end of line after the result, found '0'");

    [Fact]
    public void Several_errors_are_reported_one_per_line_in_order()
    {
        ParseResult r = ScenarioParser.Parse(H + "0 client kil\n1 server lisen L 1\n0.5 client kill\n", "t.scn");
        Assert.Equal(["t.scn:3:10", "t.scn:4:10", "t.scn:5:1"], r.Diagnostics.Select(d => $"{d.File}:{d.Line}:{d.Column}"));
    }

    [Fact]
    public void A_bad_line_still_advances_the_clock_so_later_relative_times_are_not_blamed()
    {
        ParseResult r = ScenarioParser.Parse(H + "5 client nonsense\n+1 client kill\n", "t.scn");
        Assert.Equal(3, Assert.Single(r.Diagnostics).Line);
    }

    [Fact]
    public void Errors_are_capped()
    {
        string text = H + string.Concat(Enumerable.Repeat("0 nobody kill\n", 80));
        ParseResult r = ScenarioParser.Parse(text, "t.scn");
        Assert.Equal(ScenarioParser.MaxDiagnostics + 1, r.Diagnostics.Count);
        Assert.Equal("too many errors: stopped after 50", r.Diagnostics[^1].Message);
    }

    [Fact]
    public void Diagnostic_to_string_is_file_line_column_message() =>
        Assert.Equal("a/b.scn:12:7: oops", new Diagnostic("a/b.scn", 12, 7, "oops").ToString());

    [Fact]
    public void Tabs_count_as_one_column() =>
        ParseAssert.Error(H + "0\tclient\tclose\tC", "t.scn:3:16: expected a socket created by an earlier listen, connect or accept (none created yet), found 'C'");
}
