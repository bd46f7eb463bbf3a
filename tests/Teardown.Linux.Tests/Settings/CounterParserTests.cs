using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Settings;

public sealed class CounterParserTests
{
    [Fact]
    public void CapturedSnmp_CurrEstab_CountsEstablishedAndCloseWait()
    {
        var mib = new Dictionary<string, long>();

        Assert.Equal(0, MibParser.Parse(Fixture.Text("snmp.txt"), mib));

        // RFC 1213 tcpCurrEstab counts ESTABLISHED and CLOSE_WAIT (both families share the TCP MIB):
        // the dumps of the same moment hold 6 + 4 of them.
        var records = new List<SocketRecord>();
        Linux.Netlink.InetDiagParser.Parse(Fixture.Bytes("inet_diag_v4.bin"), 1001, records);
        Linux.Netlink.InetDiagParser.Parse(Fixture.Bytes("inet_diag_v6.bin"), 1002, records);
        long expected = records.Count(r => r.KernelState is TcpState.Established or TcpState.CloseWait);
        Assert.Equal(10, expected);
        Assert.Equal(expected, mib["Tcp.CurrEstab"]);
        Assert.Equal(-1, mib["Tcp.MaxConn"]);
        Assert.Equal(200, mib["Tcp.RtoMin"]);
        Assert.True(mib.ContainsKey("IcmpMsg.OutType3") || mib.ContainsKey("Icmp.InMsgs"));
    }

    [Fact]
    public void CapturedNetstat_HasTcpExtCounters()
    {
        var mib = new Dictionary<string, long>();

        Assert.Equal(0, MibParser.Parse(Fixture.Text("netstat.txt"), mib));

        Assert.True(mib.ContainsKey("TcpExt.TCPAbortOnData"));
        Assert.True(mib.ContainsKey("TcpExt.TCPAbortOnLinger"));
        Assert.True(mib.ContainsKey("IpExt.InOctets"));
        Assert.True(mib["TcpExt.TW"] >= 0);
    }

    private const string Netstat = """
        TcpExt: SyncookiesSent TCPAbortOnData TCPAbortOnClose TW
        TcpExt: 0 3 1 7
        IpExt: InNoRoutes InTruncatedPkts
        IpExt: 0 0
        """;

    private const string Snmp = """
        Ip: Forwarding DefaultTTL
        Ip: 2 64
        Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens OutRsts CurrEstab
        Tcp: 1 200 120000 -1 4 2 1
        """;

    [Fact]
    public void TcpCounters_TcpAndTcpExt_ByBareAndPrefixedName_ConstantsLeftOut()
    {
        Dictionary<string, long> c = TcpMibCounters.Parse(Netstat, Snmp);
        Assert.Equal(3, c["TCPAbortOnData"]);
        Assert.Equal(3, c["TcpExt.TCPAbortOnData"]);
        Assert.Equal(2, c["OutRsts"]);
        Assert.Equal(2, c["tcp.outrsts"]);
        Assert.False(c.ContainsKey("MaxConn"));
        Assert.False(c.ContainsKey("Tcp.RtoMin"));
        Assert.False(c.ContainsKey("InNoRoutes"));
        Assert.False(c.ContainsKey("Ip.Forwarding"));
        Dictionary<string, long> d = TcpMibCounters.Delta(c, TcpMibCounters.Parse(Netstat.Replace("0 3 1 7", "0 1 1 0", StringComparison.Ordinal)));
        Assert.Equal(2, d["TCPAbortOnData"]);
        Assert.Equal(0, d["TCPAbortOnClose"]);
        Assert.Equal(4, d["ActiveOpens"]);
    }

    [Fact]
    public void TcpCounters_OfCapturedFiles_KeepEveryTcpExtCounter()
    {
        var mib = new Dictionary<string, long>();
        MibParser.Parse(Fixture.Text("netstat.txt"), mib);
        MibParser.Parse(Fixture.Text("snmp.txt"), mib);

        Dictionary<string, long> c = TcpMibCounters.From(mib);

        Assert.Equal(mib.Count(kv => kv.Key.StartsWith("TcpExt.", StringComparison.Ordinal)), c.Keys.Count(k => k.StartsWith("TcpExt.", StringComparison.Ordinal)));
        Assert.Equal(mib["TcpExt.TCPAbortOnLinger"], c["tcpabortonlinger"]);
        Assert.Equal(mib["Tcp.CurrEstab"], c["CurrEstab"]);
    }

    [Fact]
    public void Mib_ValueLineWithGarbage_CountsBadTokens_KeepsTheRest()
    {
        var mib = new Dictionary<string, long>();

        int bad = MibParser.Parse("Tcp: A B C\nTcp: 1 x 3\n", mib);

        Assert.Equal(1, bad);
        Assert.Equal(1, mib["Tcp.A"]);
        Assert.Equal(3, mib["Tcp.C"]);
        Assert.False(mib.ContainsKey("Tcp.B"));
    }

    [Fact]
    public void Mib_MismatchedPrefixes_StartANewHeader()
    {
        var mib = new Dictionary<string, long>();

        MibParser.Parse("Ip: A\nTcp: B\nTcp: 5\n", mib);

        Assert.Equal(new Dictionary<string, long> { ["Tcp.B"] = 5 }, mib);
    }

    [Fact]
    public void CapturedSockstat_TimewaitIncludesOrphanedFinWait2()
    {
        var values = new Dictionary<string, long>();
        SockstatParser.Parse(Fixture.Text("sockstat.txt"), values);
        SockstatParser.Parse(Fixture.Text("sockstat6.txt"), values);

        var tcp = SockstatParser.Tcp(values)!.Value;

        // 2 orphaned FIN_WAIT2 + 2 TIME_WAIT (v4 and v6): counted as tw, not orphan.
        int timewaitClass = Fixture.Manifest().Count(s => s.Inode == 0);
        Assert.Equal(4, timewaitClass);
        Assert.Equal(timewaitClass, tcp.TimeWait);
        Assert.Equal(0, tcp.Orphan);
        Assert.Equal(7, tcp.InUse);
        Assert.Equal(8, values["TCP6.inuse"]);
        Assert.Equal(16, values["sockets.used"]);
    }

    [Fact]
    public void Sockstat_WithoutTcpLine_IsNull() => Assert.Null(SockstatParser.Tcp(new Dictionary<string, long>()));

    [Theory]
    [InlineData("32768\t60999", 32768, 60999)]
    [InlineData("1024 65535\n", 1024, 65535)]
    [InlineData("nonsense", null, null)]
    [InlineData(null, null, null)]
    public void PortRange_Parses(string? text, int? low, int? high) =>
        Assert.Equal((low, high), SysctlReader.ParsePortRange(text));
}
