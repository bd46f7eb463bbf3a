using Teardown.Model;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

/// <summary>
/// The extension <c>HOST release S</c> and <c>HOST destroy S</c> (docs/scenario-parser-notes.md): what another
/// process does to a host's sockets, as <c>teardown release</c> and <c>teardown kill</c> do.
/// </summary>
public class OutsideActionTests
{
    private const string H = "host client\nhost server\n";
    private const string Connected = H + "0 server listen L 80\n0 client connect C server:80\n0 server accept S L\n";

    private static TimedLine LastLine(string line) => ParseAssert.Parses(Connected + line).Timeline[^1];

    [Fact]
    public void Release_names_a_socket_of_the_host()
    {
        TimedLine line = LastLine("1 server release S = 0");
        Assert.Equal(new ReleaseCall("server", "S"), line.Statement);
        Assert.Equal(new ExpectedResult(0, Errno.None), line.Result);
    }

    [Fact]
    public void Destroy_names_a_connection_end_of_the_host()
    {
        TimedLine line = LastLine("1 client destroy C = -1 ENOENT");
        Assert.Equal(new DestroyCall("client", "C"), line.Statement);
        Assert.Equal(new ExpectedResult(-1, Errno.ENOENT), line.Result);
    }

    [Fact]
    public void Verbs_are_case_insensitive_and_the_result_is_optional()
    {
        Assert.Equal(new ReleaseCall("server", "S"), LastLine("1 server RELEASE S").Statement);
        Assert.Null(LastLine("1 server Destroy S").Result);
    }

    [Fact]
    public void Both_come_from_outside_the_process_as_kill_does()
    {
        Assert.True(new ReleaseCall("server", "S").FromOutside);
        Assert.True(new DestroyCall("server", "S").FromOutside);
        Assert.True(new KillCall("server").FromOutside);
        Assert.False(new ShutdownCall("server", "S", ShutdownHow.Write).FromOutside);
        Assert.False(new CloseCall("server", "S").FromOutside);
    }

    [Fact]
    public void Release_of_a_listener_is_shutdown_of_a_listener_and_allowed() =>
        Assert.Equal(new ReleaseCall("server", "L"), LastLine("1 server release L").Statement);

    [Fact]
    public void Destroy_of_a_listener_is_refused() =>
        ParseAssert.Error(Connected + "1 server destroy L",
            "t.scn:6:18: expected a connection made by connect or accept, found L, a listener created at line 3 (destroy names a connection end by its 4-tuple)");

    [Fact]
    public void Socket_of_another_host() =>
        ParseAssert.Error(Connected + "1 server release C", "t.scn:6:18: socket C belongs to host client, not server");

    [Fact]
    public void Unknown_socket() =>
        ParseAssert.Error(Connected + "1 client destroy X",
            "t.scn:6:18: expected a socket created by an earlier listen, connect or accept (created so far: C, L, S), found 'X'");

    [Fact]
    public void Missing_socket_points_after_the_statement() =>
        ParseAssert.Error(Connected + "1 server release", "t.scn:6:17: expected a socket name, found end of line");

    [Fact]
    public void Extra_word() =>
        ParseAssert.Error(Connected + "1 server destroy S now", "t.scn:6:20: expected end of line after destroy, found 'now'");

    [Fact]
    public void A_result_other_than_zero_or_an_errno() =>
        ParseAssert.Error(Connected + "1 server release S = 1", "t.scn:6:22: expected 0 or -1 ERRNO, found '1'");

    [Fact]
    public void A_bare_errno_is_for_error_only() =>
        ParseAssert.Error(Connected + "1 server destroy S = ENOENT",
            "t.scn:6:22: expected a return value; a bare errno is the result of 'error' only, write -1 ENOENT, found 'ENOENT'");

    [Fact]
    public void Neither_blocks() =>
        ParseAssert.Error(Connected + "1...2 server release S",
            "t.scn:6:5: expected a plain time: START...END marks a blocking call and only connect and close block, found release");
}
