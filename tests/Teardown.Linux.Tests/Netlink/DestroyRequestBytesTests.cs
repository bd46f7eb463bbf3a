using System.Globalization;
using System.Net;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Netlink;

/// <summary>
/// The SOCK_DESTROY request byte for byte: the message <see cref="SockDiagRequest"/> writes must equal
/// the one a C program builds from the uapi structs (nlmsghdr + inet_diag_req_v2) with the same tuple,
/// states and cookie, so field order, byte order (ports and addresses big-endian, cookie host order)
/// and padding are all checked.
/// </summary>
public sealed class DestroyRequestBytesTests
{
    [SkippableFact]
    public void DestroyRequest_MatchesTheMessageCBuildsFromTheUapiStructs()
    {
        var tuple = new SocketTuple(AddressFamilies.Inet,
            new InetEndpoint(InetAddress.From(IPAddress.Parse("10.1.2.3")), 43210),
            new InetEndpoint(InetAddress.From(IPAddress.Parse("192.168.7.9")), 443));
        const ulong cookie = 0x1122334455667788;
        var body = SockDiagRequest.Exact(tuple, cookie, DiagExtensions.None);
        var bytes = new byte[SockDiagRequest.Size];
        int length = SockDiagRequest.Write(bytes, NetlinkConstants.SOCK_DESTROY, SockDiagRequest.DestroyFlags, 0x01020304, body);

        var lines = CProgram.CompileAndRun("""
            #include <stdio.h>
            #include <string.h>
            #include <arpa/inet.h>
            #include <linux/netlink.h>
            #include <linux/sock_diag.h>
            #include <linux/inet_diag.h>
            #include <netinet/in.h>
            int main(void) {
                struct { struct nlmsghdr h; struct inet_diag_req_v2 r; } m;
                memset(&m, 0, sizeof m);
                m.h.nlmsg_len = sizeof m;
                m.h.nlmsg_type = SOCK_DESTROY;
                m.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
                m.h.nlmsg_seq = 0x01020304;
                m.r.sdiag_family = AF_INET;
                m.r.sdiag_protocol = IPPROTO_TCP;
                m.r.idiag_states = (1 << 14) - 2; /* TCP_ESTABLISHED .. TCP_BOUND_INACTIVE */
                m.r.id.idiag_sport = htons(43210);
                m.r.id.idiag_dport = htons(443);
                inet_pton(AF_INET, "10.1.2.3", &m.r.id.idiag_src[0]);
                inet_pton(AF_INET, "192.168.7.9", &m.r.id.idiag_dst[0]);
                m.r.id.idiag_cookie[0] = 0x55667788;
                m.r.id.idiag_cookie[1] = 0x11223344;
                const unsigned char *p = (const void *)&m;
                for (size_t i = 0; i < sizeof m; i++) printf("%02x\n", p[i]);
                return 0;
            }
            """, out string? skipReason);
        Skip.If(lines is null, skipReason);

        var expected = lines!.Select(l => byte.Parse(l, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Length, length);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(bytes));
    }
}
