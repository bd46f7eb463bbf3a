using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Teardown.Linux.Sockets;
using static Teardown.Linux.Interop.LinuxConstants;
using static Teardown.Linux.Netlink.NetlinkConstants;

namespace Teardown.Linux.Netlink;

/// <summary>Builds sock_diag request messages (<see cref="NlMsgHdr"/> + <see cref="InetDiagReqV2"/>). Pure.</summary>
public static class SockDiagRequest
{
    /// <summary>Size of a request without attributes: 16 + 56 = 72 bytes.</summary>
    public static readonly int Size = Unsafe.SizeOf<NlMsgHdr>() + Unsafe.SizeOf<InetDiagReqV2>();

    /// <summary>A dump of every TCP socket of <paramref name="family"/> in <paramref name="states"/>.</summary>
    public static InetDiagReqV2 Dump(byte family, TcpStateMask states, DiagExtensions extensions) => new()
    {
        sdiag_family = family,
        sdiag_protocol = IPPROTO_TCP,
        idiag_ext = (byte)extensions,
        idiag_states = (uint)states,
    };

    /// <summary>Size of a compat dump request: 16 + 60 = 76 bytes.</summary>
    public static readonly int CompatSize = Unsafe.SizeOf<NlMsgHdr>() + Unsafe.SizeOf<InetDiagReq>();

    /// <summary>A dump of every TCP socket of both families in <paramref name="states"/>, in one walk (TCPDIAG_GETSOCK).</summary>
    public static InetDiagReq DumpBothFamilies(TcpStateMask states, DiagExtensions extensions) => new()
    {
        idiag_family = AF_INET,
        idiag_ext = (byte)extensions,
        idiag_states = (uint)states,
    };

    /// <summary>Writes header + compat body into <paramref name="destination"/> and returns the length.</summary>
    public static int Write(Span<byte> destination, ushort type, ushort flags, uint sequence, in InetDiagReq body) =>
        WriteMessage(destination, type, flags, sequence, in body);

    /// <summary>
    /// An exact request for one connection. With <paramref name="cookie"/> = <see cref="SockDiag.NoCookie"/>
    /// the kernel matches the 4-tuple only (net/core/sock_diag.c:sock_diag_check_cookie).
    /// The state mask is carried but not consulted for an exact request: the kernel finds the socket
    /// by an ordinary hash lookup of the tuple (net/ipv4/inet_diag.c:inet_diag_find_one_icsk), then
    /// compares the cookie; the same body serves SOCK_DESTROY (net/ipv4/tcp_diag.c:tcp_diag_destroy).
    /// </summary>
    public static unsafe InetDiagReqV2 Exact(in SocketTuple tuple, ulong cookie, DiagExtensions extensions)
    {
        var request = Dump(tuple.Family, TcpStateMask.All, extensions);
        request.id.idiag_sport = ToNetworkOrder(tuple.Local.Port);
        request.id.idiag_dport = ToNetworkOrder(tuple.Remote.Port);
        tuple.Local.Address.WriteNetworkBytes(new Span<byte>(request.id.idiag_src, 16));
        tuple.Remote.Address.WriteNetworkBytes(new Span<byte>(request.id.idiag_dst, 16));
        request.id.idiag_if = tuple.Interface;
        request.id.idiag_cookie[0] = unchecked((uint)cookie);
        request.id.idiag_cookie[1] = unchecked((uint)(cookie >> 32));
        return request;
    }

    /// <summary>Writes header + body into <paramref name="destination"/> and returns the length.</summary>
    public static int Write(Span<byte> destination, ushort type, ushort flags, uint sequence, in InetDiagReqV2 body) =>
        WriteMessage(destination, type, flags, sequence, in body);

    // One netlink message: the header, then the request body right after it (both naturally aligned).
    private static int WriteMessage<TBody>(Span<byte> destination, ushort type, ushort flags, uint sequence, in TBody body)
        where TBody : unmanaged
    {
        int length = Unsafe.SizeOf<NlMsgHdr>() + Unsafe.SizeOf<TBody>();
        var header = new NlMsgHdr
        {
            nlmsg_len = (uint)length,
            nlmsg_type = type,
            nlmsg_flags = flags,
            nlmsg_seq = sequence,
            nlmsg_pid = 0,
        };
        MemoryMarshal.Write(destination, in header);
        MemoryMarshal.Write(destination[Unsafe.SizeOf<NlMsgHdr>()..], in body);
        return length;
    }

    /// <summary>Flags for a dump: NLM_F_REQUEST | NLM_F_DUMP.</summary>
    public const ushort DumpFlags = NLM_F_REQUEST | NLM_F_DUMP;

    /// <summary>Flags for an exact lookup: NLM_F_REQUEST.</summary>
    public const ushort LookupFlags = NLM_F_REQUEST;

    /// <summary>Flags for SOCK_DESTROY: NLM_F_REQUEST | NLM_F_ACK, so success is answered too.</summary>
    public const ushort DestroyFlags = NLM_F_REQUEST | NLM_F_ACK;

    private static ushort ToNetworkOrder(ushort value) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
}
