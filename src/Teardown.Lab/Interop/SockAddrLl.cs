using System.Runtime.InteropServices;

namespace Teardown.Lab.Interop;

/// <summary>struct sockaddr_ll (linux/if_packet.h), 20 bytes; the layout is checked by a test against the C header.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct SockAddrLl
{
    public ushort Family;
    public ushort Protocol;   // network byte order
    public int IfIndex;
    public ushort HaType;
    public byte PacketType;
    public byte HaLen;
    public ulong Address;     // unsigned char sll_addr[8]
}
