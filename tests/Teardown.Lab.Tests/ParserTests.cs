using System.Net;
using System.Runtime.InteropServices;
using Teardown.Lab.Interop;
using Teardown.Lab.Namespaces;
using Teardown.Lab.Observation;
using Teardown.Model;

namespace Teardown.Lab.Tests;

public sealed class ParserTests
{
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
    public void Netstat_TcpAndTcpExt_ByBareAndPrefixedName_ConstantsLeftOut()
    {
        Dictionary<string, long> c = NetstatParser.Parse(Netstat, Snmp);
        Assert.Equal(3, c["TCPAbortOnData"]);
        Assert.Equal(3, c["TcpExt.TCPAbortOnData"]);
        Assert.Equal(2, c["OutRsts"]);
        Assert.Equal(2, c["tcp.outrsts"]);
        Assert.False(c.ContainsKey("MaxConn"));
        Assert.False(c.ContainsKey("InNoRoutes"));
        Dictionary<string, long> d = NetstatParser.Delta(c, NetstatParser.Parse(Netstat.Replace("0 3 1 7", "0 1 1 0", StringComparison.Ordinal)));
        Assert.Equal(2, d["TCPAbortOnData"]);
        Assert.Equal(0, d["TCPAbortOnClose"]);
        Assert.Equal(4, d["ActiveOpens"]);
    }

    [Fact]
    public void StateEvent_ParsesTraceLine_WithMonotonicTimestamp()
    {
        const string line = "          <idle>-0       [001] ..s2.  1234.567891: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=8080 dport=41234 saddr=192.0.2.2 daddr=192.0.2.1 saddrv6=::ffff:192.0.2.2 daddrv6=::ffff:192.0.2.1 oldstate=TCP_SYN_RECV newstate=TCP_ESTABLISHED";
        StateEvent e = StateEventParser.TryParse(line)!;
        Assert.Equal(1_234_567_891_000L, e.TimestampNs);
        Assert.Equal(IPEndPoint.Parse("192.0.2.2:8080"), e.Source);
        Assert.Equal(IPEndPoint.Parse("192.0.2.1:41234"), e.Destination);
        Assert.Equal(TcpState.SynRecv, e.OldState);
        Assert.Equal(TcpState.Established, e.NewState);
        Assert.Null(StateEventParser.TryParse(line.Replace("AF_INET ", "AF_INET6 ", StringComparison.Ordinal)));
        Assert.Null(StateEventParser.TryParse("CPU:1 [LOST 3 EVENTS]"));
    }

    [Fact]
    public void StateEvent_ParsesTheFieldsFormat_WithTheSocketAddress()
    {
        // tracefs "fields" option: every field as name=0xHEX (DECIMAL); saddr/daddr are __u8[4] read as a
        // host-order integer (0x100007f is 127.0.0.1 on little-endian).
        const string line = "python3-4981    [001] ..s2.   339.416731: inet_sock_set_state: skaddr=0xffff888106be9280 (-131387231399296) oldstate=0x2 (2) newstate=0x1 (1) sport=0xa4c3 (42179) dport=0x1f90 (8080) family=0x2 (2) protocol=0x6 (6) saddr=0x10200c0 (16908480) daddr=0x20200c0 (33685696) saddr_v6=<INVALID-SIZE> daddr_v6=<INVALID-SIZE>";
        StateEvent e = StateEventParser.TryParse(line)!;
        Assert.Equal(339_416_731_000L, e.TimestampNs);
        Assert.Equal(0xffff888106be9280UL, e.Socket);
        Assert.Equal(IPEndPoint.Parse("192.0.2.1:42179"), e.Source);
        Assert.Equal(IPEndPoint.Parse("192.0.2.2:8080"), e.Destination);
        Assert.Equal((TcpState.SynSent, TcpState.Established), (e.OldState, e.NewState));
        Assert.Null(StateEventParser.TryParse(line.Replace("family=0x2 (2)", "family=0xa (10)", StringComparison.Ordinal)));
    }

    [Fact]
    public void SockAddrLl_HasTheLayoutOfLinuxIfPacketH()
    {
        // struct sockaddr_ll: family@0, protocol@2, ifindex@4, hatype@8, pkttype@10, halen@11, addr[8]@12; 20 bytes.
        Assert.Equal(20, Marshal.SizeOf<SockAddrLl>());
        Assert.Equal(
            [0, 2, 4, 8, 10, 11, 12],
            new[] { "Family", "Protocol", "IfIndex", "HaType", "PacketType", "HaLen", "Address" }.Select(f => (int)Marshal.OffsetOf<SockAddrLl>(f)));
    }

    [Fact]
    public void NamespaceNames_CarryTheOwnerPid()
    {
        string n = LabNamespaces.NameFor(4242, "a1b2c3", "web-server.1", 2);
        Assert.Equal("td-4242-a1b2c3-webserver1-2", n);
        Assert.Equal(4242, LabNamespaces.OwnerPid(n));
        Assert.Null(LabNamespaces.OwnerPid("other-4242-x"));
        Assert.Null(LabNamespaces.OwnerPid("td-x-y"));
    }
}

public sealed class PrerequisiteTests
{
    [Fact]
    public void WithoutCapabilities_TheReasonNamesWhatIsMissing_InOneLine()
    {
        string? none = LabPrerequisites.MissingReason(0);
        Assert.NotNull(none);
        Assert.Contains("CAP_NET_ADMIN and CAP_SYS_ADMIN", none, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', none);
        string? onlyNet = LabPrerequisites.MissingReason(1UL << 12);
        Assert.Contains("CAP_SYS_ADMIN", onlyNet!, StringComparison.Ordinal);
        Assert.DoesNotContain("CAP_NET_ADMIN", onlyNet!, StringComparison.Ordinal);
    }
}
