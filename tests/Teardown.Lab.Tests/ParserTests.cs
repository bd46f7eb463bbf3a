using System.Net;
using Teardown.Lab.Namespaces;
using Teardown.Lab.Observation;
using Teardown.Model;

namespace Teardown.Lab.Tests;

public sealed class ParserTests
{
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
