using System.Text.Json;

namespace Teardown.Cli.Tests;

/// <summary><c>teardown whatif</c> on the demo's capture: the seed's situations, answered by the model.</summary>
public class WhatIfCommandTests
{
    private static string DemoCapture => Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");

    private static JsonElement Answer(JsonDocument doc, string cls) =>
        doc.RootElement.GetProperty("answers").EnumerateArray().First(a => a.GetProperty("class").GetString() == cls);

    private static double? Seconds(JsonElement answer, string which, string when)
    {
        var v = answer.GetProperty(which).GetProperty(when).GetProperty("endsAfterSeconds");
        return v.ValueKind == JsonValueKind.Null ? null : v.GetDouble();
    }

    [Fact]
    public void TcpFinTimeout_LeavesCloseWaitAlone_AndShortensOnlyNewOrphans()
    {
        var (code, stdout, _) = CliHarness.Run("whatif", "--set", "net.ipv4.tcp_fin_timeout=10", "--input", DemoCapture, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("teardown.whatif/1", doc.RootElement.GetProperty("schema").GetString());

        var closeWait = Answer(doc, "close-wait-unread-eof");
        Assert.Equal("no-effect", closeWait.GetProperty("effect").GetString());
        Assert.Null(Seconds(closeWait, "existing", "after"));
        Assert.Contains(closeWait.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("CLOSE_WAIT has no timer", StringComparison.Ordinal));

        var halfClosed = Answer(doc, "fin-wait2-half-closed");
        Assert.Equal("no-effect", halfClosed.GetProperty("effect").GetString());

        var orphan = Answer(doc, "fin-wait2-orphaned");
        Assert.Equal("no-effect", orphan.GetProperty("effect").GetString());
        Assert.Equal("sooner", orphan.GetProperty("freshEffect").GetString());
        // each plus up to a timer-wheel granularity: 2.048 s for a 60 s timer, 256 ms for 10 s (Model.Rules.TimerWheel)
        Assert.InRange(Seconds(orphan, "fresh", "before")!.Value, 59.9, 62.3);
        Assert.InRange(Seconds(orphan, "fresh", "after")!.Value, 9.9, 10.5);
    }

    [Fact]
    public void TcpFinTimeoutAbove60_GivesNewOrphansTwiceXMinus120()
    {
        var (code, stdout, _) = CliHarness.Run("whatif", "--set", "tcp_fin_timeout=120", "--input", DemoCapture, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var orphan = Answer(doc, "fin-wait2-orphaned");
        Assert.Equal("later", orphan.GetProperty("freshEffect").GetString());
        Assert.InRange(Seconds(orphan, "fresh", "after")!.Value, 119.9, 124.5); // two 60 s stages, each up to 2.048 s late on the timer wheel
    }

    [Fact]
    public void NegativeLinger2_CannotReachOrphans_ButResetsTheNextOnes()
    {
        var (code, stdout, _) = CliHarness.Run("whatif", "--sockopt", "TCP_LINGER2=-1", "--input", DemoCapture, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var orphan = Answer(doc, "fin-wait2-orphaned");
        Assert.Equal("no-effect", orphan.GetProperty("effect").GetString());
        Assert.Equal("rst", orphan.GetProperty("fresh").GetProperty("after").GetProperty("peerSees").GetString());
        Assert.Contains(orphan.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("no process holds them", StringComparison.Ordinal));
    }

    [Fact]
    public void FewerOrphanRetries_EndTheRetransmittingOrphansSooner()
    {
        var (code, stdout, _) = CliHarness.Run("whatif", "--set", "net.ipv4.tcp_orphan_retries=2", "--input", DemoCapture, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var lastAck = Answer(doc, "last-ack-orphaned");
        Assert.Equal("sooner", lastAck.GetProperty("effect").GetString());
        Assert.True(Seconds(lastAck, "existing", "after") < Seconds(lastAck, "existing", "before"));
    }

    [Fact]
    public void AFullTimewaitTable_ClosesNewOnesWithoutTimeWait()
    {
        // 600 TIME_WAIT + 440 orphaned FIN_WAIT2 timewait sockets are above a limit of 100: the next one overflows.
        var (code, stdout, _) = CliHarness.Run("whatif", "--set", "net.ipv4.tcp_max_tw_buckets=100", "--input", DemoCapture, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var tw = Answer(doc, "time-wait");
        Assert.Equal("no-effect", tw.GetProperty("effect").GetString());
        Assert.Equal("sooner", tw.GetProperty("freshEffect").GetString());
        Assert.Equal(1, tw.GetProperty("fresh").GetProperty("after").GetProperty("counters").GetProperty("TCPTimeWaitOverflow").GetInt32());
        Assert.Contains(tw.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("TCPTimeWaitOverflow", StringComparison.Ordinal));
    }

    [Fact]
    public void AWiderPortRange_IsForecastPerDestination()
    {
        var (code, stdout, _) = CliHarness.Run("whatif", "--set", "ip_local_port_range=20000 60999", "--input", DemoCapture, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Contains(doc.RootElement.GetProperty("ports").EnumerateArray(), p => p.GetString()!.Contains("1000 → 41000 ports", StringComparison.Ordinal));
    }

    [Fact]
    public void Tables_NameTheEffectAndSayNothingChanged()
    {
        var (code, stdout, _) = CliHarness.Run("whatif", "--set", "net.ipv4.tcp_fin_timeout=10", "--input", DemoCapture, "--finding", "12");
        Assert.Equal(0, code);
        Assert.Contains("no-effect", stdout, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed on this host", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void WithoutRoot_OnTheLiveHost_ItAnswersForWhatItSaw_AndSaysWhatWasHidden()
    {
        Require.RootOrSkip(); // root is needed to become someone else
        var result = Unprivileged.Run("whatif", "--set", "net.ipv4.tcp_fin_timeout=10", "--json");
        Skip.If(result is null, "setpriv is not installed");
        var (code, stdout, stderr) = result!.Value;
        Assert.True(code == 0, $"exit {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("teardown.whatif/1", doc.RootElement.GetProperty("schema").GetString());
        Assert.Contains("part of the host was hidden", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("whatif")]
    [InlineData("whatif", "--set", "net.ipv4.tcp_nonsense=1")]
    [InlineData("whatif", "--set", "tcp_fin_timeout")]
    [InlineData("whatif", "--set", "tcp_fin_timeout=0")]
    [InlineData("whatif", "--sockopt", "TCP_KEEPCNT=500")]
    [InlineData("whatif", "--set", "tcp_fin_timeout=10", "--pid", "1")]
    [InlineData("whatif", "--set", "tcp_fin_timeout=10", "--finding", "0")]
    public void BadInput_IsAUsageErrorWithAReason(params string[] args)
    {
        var (code, stdout, stderr) = CliHarness.Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("teardown: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public void AFindingNumberBeyondTheReport_IsAUsageError()
    {
        var (code, _, stderr) = CliHarness.Run("whatif", "--set", "tcp_fin_timeout=10", "--input", DemoCapture, "--finding", "99");
        Assert.Equal(2, code);
        Assert.Contains("there are 14 findings", stderr, StringComparison.Ordinal);
    }
}
