using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Teardown.Linux.Interop;
using Teardown.Linux.Sockets;
using static Teardown.Linux.Netlink.NetlinkConstants;

namespace Teardown.Linux.Netlink;

/// <summary>
/// Pure parser for sock_diag replies: bytes in, <see cref="SocketRecord"/>s out. Never throws on
/// malformed input; it stops and returns <see cref="NetlinkParseStatus.Malformed"/>.
/// </summary>
/// <remarks>
/// Wire layout (include/uapi/linux/netlink.h, inet_diag.h): a buffer holds messages, each an
/// <see cref="NlMsgHdr"/> whose <c>nlmsg_len</c> includes the header, the next one starting at
/// <c>NLMSG_ALIGN(nlmsg_len)</c>. A socket message's payload is an <see cref="InetDiagMsg"/> (72 bytes)
/// followed by rtattr-framed attributes, each <c>RTA_ALIGN(rta_len)</c> long. Example: a timewait
/// socket (net/ipv4/inet_diag.c:inet_twsk_diag_fill) is exactly 16 + 72 = 88 bytes, no attributes.
/// A full socket with INET_DIAG_INFO adds 4 + sizeof(tcp_info) (aligned), then SHUTDOWN (8 bytes
/// with padding) and CGROUP_ID (12 bytes, u64 at offset 4).
/// </remarks>
public static class InetDiagParser
{
    private static readonly int HeaderSize = Unsafe.SizeOf<NlMsgHdr>();
    private static readonly int MsgSize = Unsafe.SizeOf<InetDiagMsg>();

    /// <summary>
    /// Parses every message in <paramref name="buffer"/>, appending socket records to
    /// <paramref name="sink"/>. Messages whose sequence number differs from
    /// <paramref name="sequence"/> (when given) are skipped: they are leftovers of an earlier,
    /// abandoned request on the same socket.
    /// </summary>
    public static NetlinkParseResult Parse(ReadOnlySpan<byte> buffer, uint? sequence, List<SocketRecord> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var adapter = new ListSink(sink);
        return Parse(buffer, sequence, ref adapter);
    }

    /// <summary>As <see cref="Parse(ReadOnlySpan{byte}, uint?, List{SocketRecord})"/>, streaming into any sink.</summary>
    public static NetlinkParseResult Parse<TSink>(ReadOnlySpan<byte> buffer, uint? sequence, ref TSink sink)
        where TSink : ISocketRecordSink
    {
        int offset = 0;
        int records = 0;
        int skipped = 0;
        bool interrupted = false;

        while (buffer.Length - offset >= HeaderSize)
        {
            var header = MemoryMarshal.Read<NlMsgHdr>(buffer[offset..]);
            int length = (int)Math.Min(header.nlmsg_len, int.MaxValue);
            if (length < HeaderSize || length > buffer.Length - offset)
            {
                return new(NetlinkParseStatus.Malformed, Errno.None, records, offset, skipped, interrupted);
            }

            var payload = buffer.Slice(offset + HeaderSize, length - HeaderSize);
            int next = Math.Min(buffer.Length, offset + NetlinkConstants.Align4(length));
            interrupted |= (header.nlmsg_flags & NLM_F_DUMP_INTR) != 0;

            if (sequence is uint expected && header.nlmsg_seq != expected)
            {
                skipped++;
                offset = next;
                continue;
            }

            switch (header.nlmsg_type)
            {
                case NLMSG_DONE:
                    // net/netlink/af_netlink.c:netlink_dump_done puts the dump's return value here:
                    // 0 on success, -errno if the dump callback failed.
                    int status = payload.Length >= 4 ? MemoryMarshal.Read<int>(payload) : 0;
                    return status < 0
                        ? new(NetlinkParseStatus.KernelError, (Errno)(-status), records, next, skipped, interrupted)
                        : new(NetlinkParseStatus.Done, Errno.None, records, next, skipped, interrupted);

                case NLMSG_ERROR:
                    if (payload.Length < 4)
                    {
                        return new(NetlinkParseStatus.Malformed, Errno.None, records, offset, skipped, interrupted);
                    }

                    int error = MemoryMarshal.Read<int>(payload);
                    // error == 0 is the ACK requested with NLM_F_ACK (net/netlink/af_netlink.c:netlink_ack).
                    return error == 0
                        ? new(NetlinkParseStatus.Done, Errno.None, records, next, skipped, interrupted)
                        : new(NetlinkParseStatus.KernelError, (Errno)(-error), records, next, skipped, interrupted);

                case NLMSG_OVERRUN:
                    return new(NetlinkParseStatus.KernelError, Errno.ENOBUFS, records, next, skipped, interrupted);

                // A compat dump is answered with its own request type (the kernel copies the request's
                // nlmsg_type into each reply: net/ipv4/inet_diag.c:inet_sk_diag_fill); the body is the same.
                case SOCK_DIAG_BY_FAMILY:
                case TCPDIAG_GETSOCK:
                    if (!TryParseSocket(payload, out var record))
                    {
                        return new(NetlinkParseStatus.Malformed, Errno.None, records, offset, skipped, interrupted);
                    }

                    sink.Add(in record);
                    records++;
                    // An exact lookup is answered with one message without NLM_F_MULTI and no
                    // NLMSG_DONE (net/ipv4/inet_diag.c:inet_diag_dump_one_icsk -> nlmsg_unicast).
                    if ((header.nlmsg_flags & NLM_F_MULTI) == 0)
                    {
                        return new(NetlinkParseStatus.Done, Errno.None, records, next, skipped, interrupted);
                    }

                    break;

                default:
                    skipped++;
                    break;
            }

            offset = next;
        }

        // Trailing bytes shorter than a header cannot be a message.
        return offset == buffer.Length
            ? new(NetlinkParseStatus.Continue, Errno.None, records, offset, skipped, interrupted)
            : new(NetlinkParseStatus.Malformed, Errno.None, records, offset, skipped, interrupted);
    }

    /// <summary>
    /// Parses one SOCK_DIAG_BY_FAMILY payload (<c>inet_diag_msg</c> + attributes). Returns false if
    /// the payload is shorter than <c>inet_diag_msg</c> or an attribute overruns it.
    /// </summary>
    public static unsafe bool TryParseSocket(ReadOnlySpan<byte> payload, out SocketRecord record)
    {
        record = default;
        if (payload.Length < MsgSize)
        {
            return false;
        }

        var msg = MemoryMarshal.Read<InetDiagMsg>(payload);
        record.Source = SocketSource.SockDiag;
        record.Family = msg.idiag_family;
        record.State = msg.idiag_state;
        record.Timer = msg.idiag_timer;
        record.Retrans = msg.idiag_retrans;
        record.TimerExpiresMs = msg.idiag_expires;
        record.RecvQ = msg.idiag_rqueue;
        record.SendQ = msg.idiag_wqueue;
        record.Uid = msg.idiag_uid;
        record.Inode = msg.idiag_inode;
        record.Interface = msg.id.idiag_if;
        record.Cookie = msg.id.idiag_cookie[0] | ((ulong)msg.id.idiag_cookie[1] << 32);
        record.Known = SocketFields.Cookie | SocketFields.ExactExpiry | SocketFields.Interface;

        var src = new ReadOnlySpan<byte>(msg.id.idiag_src, 16);
        var dst = new ReadOnlySpan<byte>(msg.id.idiag_dst, 16);
        record.Local = new InetEndpoint(InetAddress.FromNetworkBytes(msg.idiag_family, src), FromNetworkOrder(msg.id.idiag_sport));
        record.Remote = new InetEndpoint(InetAddress.FromNetworkBytes(msg.idiag_family, dst), FromNetworkOrder(msg.id.idiag_dport));

        var attributes = payload[NetlinkConstants.Align4(MsgSize)..];
        while (attributes.Length >= 4)
        {
            var attr = MemoryMarshal.Read<RtAttr>(attributes);
            if (attr.rta_len < 4 || attr.rta_len > attributes.Length)
            {
                return false;
            }

            ApplyAttribute(ref record, (ushort)(attr.rta_type & NLA_TYPE_MASK), attributes[4..attr.rta_len]);
            attributes = attributes[Math.Min(attributes.Length, NetlinkConstants.Align4(attr.rta_len))..];
        }

        return true;
    }

    private static void ApplyAttribute(ref SocketRecord record, ushort type, ReadOnlySpan<byte> value)
    {
        switch (type)
        {
            case INET_DIAG_INFO:
                ApplyTcpInfo(ref record, value);
                break;
            case INET_DIAG_SHUTDOWN when value.Length >= 1:
                record.Shutdown = value[0];
                record.Known |= SocketFields.Shutdown;
                break;
            case INET_DIAG_CGROUP_ID when value.Length >= 8:
                record.CgroupId = MemoryMarshal.Read<ulong>(value);
                record.Known |= SocketFields.CgroupId;
                break;
            case INET_DIAG_SKMEMINFO:
                ApplySkMemInfo(ref record, value);
                break;
            default:
                // MEMINFO, CONG, TOS, MARK, SKV6ONLY, PAD, ...: not needed for diagnosis.
                break;
        }
    }

    private static void ApplyTcpInfo(ref SocketRecord record, ReadOnlySpan<byte> value)
    {
        // tcp_info only grows at its end (include/uapi/linux/tcp.h): a kernel's as long as ours or
        // longer is read as is; a shorter one is copied into a zeroed struct.
        TcpInfo info;
        if (value.Length >= Unsafe.SizeOf<TcpInfo>())
        {
            info = MemoryMarshal.Read<TcpInfo>(value);
        }
        else
        {
            info = default;
            value.CopyTo(MemoryMarshal.AsBytes(new Span<TcpInfo>(ref info)));
        }

        record.Known |= SocketFields.TcpInfo;
        record.TcpInfoLength = (ushort)Math.Min(value.Length, ushort.MaxValue);
        record.TcpiRetransmits = info.tcpi_retransmits;
        record.TcpiProbes = info.tcpi_probes;
        record.TcpiBackoff = info.tcpi_backoff;
        record.TcpiOptions = info.tcpi_options;
        record.RtoUs = info.tcpi_rto;
        record.RttUs = info.tcpi_rtt;
        record.RttVarUs = info.tcpi_rttvar;
        record.SndCwnd = info.tcpi_snd_cwnd;
        record.LastDataSentMs = info.tcpi_last_data_sent;
        record.LastDataRecvMs = info.tcpi_last_data_recv;
        record.LastAckRecvMs = info.tcpi_last_ack_recv;
        record.TotalRetrans = info.tcpi_total_retrans;
        record.BytesReceived = info.tcpi_bytes_received;
        record.BytesAcked = info.tcpi_bytes_acked;
    }

    private static void ApplySkMemInfo(ref SocketRecord record, ReadOnlySpan<byte> value)
    {
        // include/uapi/linux/sock_diag.h: enum { SK_MEMINFO_RMEM_ALLOC, RCVBUF, WMEM_ALLOC, SNDBUF,
        // FWD_ALLOC, WMEM_QUEUED, OPTMEM, BACKLOG, DROPS }, u32 each.
        var words = MemoryMarshal.Cast<byte, uint>(value);
        if (words.Length < 4)
        {
            return;
        }

        record.Known |= SocketFields.SkMemInfo;
        record.RmemAlloc = words[0];
        record.RcvBuf = words[1];
        record.WmemAlloc = words[2];
        record.SndBuf = words[3];
        record.Drops = words.Length > 8 ? words[8] : 0;
    }

    private static ushort FromNetworkOrder(ushort value) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
}
