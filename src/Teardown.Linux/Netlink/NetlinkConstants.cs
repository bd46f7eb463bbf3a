namespace Teardown.Linux.Netlink;

/// <summary>Netlink and sock_diag message constants (include/uapi/linux/netlink.h, sock_diag.h, inet_diag.h).</summary>
internal static class NetlinkConstants
{
    // netlink.h: control message types
    internal const ushort NLMSG_NOOP = 1;
    internal const ushort NLMSG_ERROR = 2;
    internal const ushort NLMSG_DONE = 3;
    internal const ushort NLMSG_OVERRUN = 4;

    // netlink.h: flags
    internal const ushort NLM_F_REQUEST = 0x1;
    internal const ushort NLM_F_MULTI = 0x2;
    internal const ushort NLM_F_ACK = 0x4;
    internal const ushort NLM_F_DUMP_INTR = 0x10;
    internal const ushort NLM_F_ROOT = 0x100;
    internal const ushort NLM_F_MATCH = 0x200;
    internal const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    // sock_diag.h
    internal const ushort SOCK_DIAG_BY_FAMILY = 20;
    /// <summary>
    /// The original inet_diag request type (include/uapi/linux/inet_diag.h): its dump sets the family
    /// to AF_UNSPEC (net/ipv4/inet_diag.c:inet_diag_dump_compat), so one walk of the hash tables
    /// answers for IPv4 and IPv6 together.
    /// </summary>
    internal const ushort TCPDIAG_GETSOCK = 18;
    internal const ushort SOCK_DESTROY = 21;

    // inet_diag.h: response attributes (enum { INET_DIAG_NONE, ... })
    internal const ushort INET_DIAG_MEMINFO = 1;
    internal const ushort INET_DIAG_INFO = 2;
    internal const ushort INET_DIAG_CONG = 4;
    internal const ushort INET_DIAG_SKMEMINFO = 7;
    internal const ushort INET_DIAG_SHUTDOWN = 8;
    internal const ushort INET_DIAG_CGROUP_ID = 21;

    // inet_diag.h: cookie value that disables the cookie check in an exact lookup.
    internal const uint INET_DIAG_NOCOOKIE = 0xFFFF_FFFF;

    // rtattr types carry NLA_F_NESTED / NLA_F_NET_BYTEORDER in the top two bits (netlink.h).
    internal const ushort NLA_TYPE_MASK = 0x3FFF;

    /// <summary>NLMSG_ALIGN / RTA_ALIGN: every message and attribute starts on a 4-byte boundary.</summary>
    internal static int Align4(int length) => (length + 3) & ~3;
}
