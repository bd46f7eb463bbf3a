using System.Runtime.InteropServices;

namespace Teardown.Linux.Netlink;

/// <summary>
/// <c>struct nlmsghdr</c> (include/uapi/linux/netlink.h), 16 bytes, host byte order. Heads every
/// netlink message; the next message starts at <c>NLMSG_ALIGN(nlmsg_len)</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct NlMsgHdr
{
    /// <summary>Length of the message including this header.</summary>
    public uint nlmsg_len;
    /// <summary>Message type: SOCK_DIAG_BY_FAMILY (20), NLMSG_DONE (3), NLMSG_ERROR (2), ...</summary>
    public ushort nlmsg_type;
    /// <summary>NLM_F_* flags.</summary>
    public ushort nlmsg_flags;
    /// <summary>Sequence number echoed by the kernel.</summary>
    public uint nlmsg_seq;
    /// <summary>Sender port id (0 for the kernel).</summary>
    public uint nlmsg_pid;
}

/// <summary>
/// <c>struct nlmsgerr</c> (include/uapi/linux/netlink.h): payload of NLMSG_ERROR. <c>error</c> is
/// <c>-errno</c>, or 0 for an acknowledgement; the echoed request header follows.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct NlMsgErr
{
    /// <summary>Negative errno, or 0 for an ACK.</summary>
    public int error;
    /// <summary>Header of the request that caused the error.</summary>
    public NlMsgHdr msg;
}

/// <summary>
/// <c>struct rtattr</c> (include/uapi/linux/rtnetlink.h): attribute header used by inet_diag
/// replies. <c>rta_len</c> includes these 4 bytes; the next attribute is at <c>RTA_ALIGN(rta_len)</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct RtAttr
{
    /// <summary>Attribute length including the header.</summary>
    public ushort rta_len;
    /// <summary>Attribute type (INET_DIAG_*).</summary>
    public ushort rta_type;
}

/// <summary><c>struct sockaddr_nl</c> (include/uapi/linux/netlink.h), 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SockaddrNl
{
    /// <summary>AF_NETLINK (16).</summary>
    public ushort nl_family;
    /// <summary>Zero.</summary>
    public ushort nl_pad;
    /// <summary>Port id; 0 addresses the kernel (or asks it to assign one on bind).</summary>
    public uint nl_pid;
    /// <summary>Multicast group mask.</summary>
    public uint nl_groups;
}
