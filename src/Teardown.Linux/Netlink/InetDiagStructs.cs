using System.Runtime.InteropServices;

namespace Teardown.Linux.Netlink;

/// <summary>
/// <c>struct inet_diag_sockid</c> (include/uapi/linux/inet_diag.h), 48 bytes. Ports and addresses are
/// in network byte order (__be16/__be32); interface and cookie are host order.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct InetDiagSockId
{
    /// <summary>Local port, network byte order.</summary>
    public ushort idiag_sport;
    /// <summary>Remote port, network byte order.</summary>
    public ushort idiag_dport;
    /// <summary>Local address: IPv4 in the first word, IPv6 in all four.</summary>
    public fixed uint idiag_src[4];
    /// <summary>Remote address, same encoding as <see cref="idiag_src"/>.</summary>
    public fixed uint idiag_dst[4];
    /// <summary>Bound interface index (0 if none).</summary>
    public uint idiag_if;
    /// <summary>Socket cookie (two host-order words, low word first); all ones = INET_DIAG_NOCOOKIE.</summary>
    public fixed uint idiag_cookie[2];
}

/// <summary>
/// <c>struct inet_diag_req_v2</c> (include/uapi/linux/inet_diag.h), 56 bytes: the body of a
/// SOCK_DIAG_BY_FAMILY or SOCK_DESTROY request.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct InetDiagReqV2
{
    /// <summary>AF_INET or AF_INET6: selects the handler (net/ipv4/inet_diag.c:inet_diag_handler_cmd).</summary>
    public byte sdiag_family;
    /// <summary>IPPROTO_TCP.</summary>
    public byte sdiag_protocol;
    /// <summary>Extension bitmask: <c>1 &lt;&lt; (INET_DIAG_x - 1)</c> for attributes 1..8.</summary>
    public byte idiag_ext;
    /// <summary>Zero for TCP.</summary>
    public byte pad;
    /// <summary>State bitmask: <c>1 &lt;&lt; state</c>.</summary>
    public uint idiag_states;
    /// <summary>Zero for a dump; the exact tuple for a lookup or destroy.</summary>
    public InetDiagSockId id;
}

/// <summary>
/// <c>struct inet_diag_req</c> (include/uapi/linux/inet_diag.h), 60 bytes: the body of the original
/// TCPDIAG_GETSOCK request, kept by the kernel for compatibility. Its dump covers both address
/// families in one walk (net/ipv4/inet_diag.c:inet_diag_dump_compat sets AF_UNSPEC); the reply
/// messages are the same <see cref="InetDiagMsg"/> as for <see cref="InetDiagReqV2"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct InetDiagReq
{
    /// <summary>Ignored by a dump (the compat dump asks for every family).</summary>
    public byte idiag_family;
    /// <summary>Unused by a dump.</summary>
    public byte idiag_src_len;
    /// <summary>Unused by a dump.</summary>
    public byte idiag_dst_len;
    /// <summary>Extension bitmask, as in <see cref="InetDiagReqV2.idiag_ext"/>.</summary>
    public byte idiag_ext;
    /// <summary>Zero for a dump.</summary>
    public InetDiagSockId id;
    /// <summary>State bitmask: <c>1 &lt;&lt; state</c>.</summary>
    public uint idiag_states;
    /// <summary>Unused (tables to dump; the kernel ignores it).</summary>
    public uint idiag_dbs;
}

/// <summary>
/// <c>struct inet_diag_msg</c> (include/uapi/linux/inet_diag.h), 72 bytes: one socket in a reply;
/// attributes follow at <c>NLMSG_ALIGN(sizeof)</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct InetDiagMsg
{
    /// <summary>AF_INET / AF_INET6.</summary>
    public byte idiag_family;
    /// <summary>TCP state, Linux numbering; for timewait mini-sockets the sub-state (5 or 6).</summary>
    public byte idiag_state;
    /// <summary>Timer kind: 0 none, 1 retransmit, 2 keepalive/sk_timer, 3 timewait, 4 zero-window probe.</summary>
    public byte idiag_timer;
    /// <summary>Retransmits or probes outstanding for the pending timer.</summary>
    public byte idiag_retrans;
    /// <summary>The socket's identity.</summary>
    public InetDiagSockId id;
    /// <summary>Milliseconds until the timer fires.</summary>
    public uint idiag_expires;
    /// <summary>Receive queue (rcv_nxt - copied_seq) or accept-queue length for LISTEN.</summary>
    public uint idiag_rqueue;
    /// <summary>Send queue (write_seq - snd_una) or backlog limit for LISTEN.</summary>
    public uint idiag_wqueue;
    /// <summary>Owner uid in the reader's user namespace.</summary>
    public uint idiag_uid;
    /// <summary>Socket inode; 0 when no file refers to it (orphans, timewait, unaccepted).</summary>
    public uint idiag_inode;
}
