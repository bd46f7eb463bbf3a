using System.Runtime.InteropServices;

namespace Teardown.Linux.Interop;

/// <summary>
/// <c>struct sockaddr_ll</c> (include/uapi/linux/if_packet.h), 20 bytes: the address of a packet
/// socket. Packed because <c>sll_addr</c> (8 bytes) sits at offset 12; the layout is checked against
/// the header by a test.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct SockAddrLl
{
    public ushort sll_family;
    /// <summary>Ethernet protocol, network byte order.</summary>
    public ushort sll_protocol;
    public int sll_ifindex;
    public ushort sll_hatype;
    /// <summary>PACKET_HOST, PACKET_OUTGOING, ...</summary>
    public byte sll_pkttype;
    public byte sll_halen;
    /// <summary>unsigned char sll_addr[8].</summary>
    public ulong sll_addr;
}
