using System.Buffers.Binary;
using CsCheck;
using Teardown.Linux.Interop;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Netlink;

public sealed class InetDiagParserTests
{
    [Theory]
    [InlineData("inet_diag_v4.bin", 1001u, AddressFamilies.Inet)]
    [InlineData("inet_diag_v6.bin", 1002u, AddressFamilies.Inet6)]
    public void CapturedDump_ParsesToDone_AndMatchesEverySocketTheCaptureCreated(string file, uint seq, byte family)
    {
        var records = new List<SocketRecord>();

        var result = InetDiagParser.Parse(Fixture.Bytes(file), seq, records);

        Assert.Equal(NetlinkParseStatus.Done, result.Status);
        Assert.Equal(result.Records, records.Count);
        Assert.All(records, r => Assert.Equal(family, r.Family));
        var expected = Fixture.Manifest().Where(m => m.Family == family).ToList();
        Assert.NotEmpty(expected);
        foreach (var socket in expected)
        {
            var record = Assert.Single(records, r => socket.Matches(r) && r.KernelState == socket.State);
            Assert.Equal(socket.Inode, record.Inode);
            if (socket.RecvQ is uint rq)
            {
                Assert.Equal(rq, record.RecvQ);
            }

            bool timewait = socket.Inode == 0;
            Assert.Equal(timewait, record.Timer == (byte)TimerKind.Timewait);
            Assert.Equal(!timewait, record.Known.HasFlag(SocketFields.TcpInfo | SocketFields.Shutdown | SocketFields.CgroupId | SocketFields.SkMemInfo));
            if (!timewait)
            {
                Assert.True(record.TcpInfoLength >= TcpInfo.SizeThroughSndWnd);
                // net/ipv4/tcp.c:tcp_get_info returns early for LISTEN, leaving rto zero.
                Assert.True(socket.State == TcpState.Listen || record.RtoUs >= 200_000, record.ToString());
            }
        }
    }

    [Fact]
    public void CapturedDump_ShutdownBits_DistinguishHalfCloseFromCloseWait()
    {
        var records = new List<SocketRecord>();
        InetDiagParser.Parse(Fixture.Bytes("inet_diag_v4.bin"), 1001, records);
        var manifest = Fixture.Manifest();

        var halfClosed = records.Single(r => manifest.Single(m => m.Kind == "v4-half-closed").Matches(r));
        var closeWait = records.Single(r => manifest.Single(m => m.Kind == "v4-close-wait").Matches(r));

        Assert.Equal(2, halfClosed.Shutdown); // SEND_SHUTDOWN: we sent FIN
        Assert.Equal(1, closeWait.Shutdown);  // RCV_SHUTDOWN: peer's FIN arrived
    }

    private struct StateCounter : ISocketRecordSink
    {
        public int[] Counts;

        public readonly void Add(in SocketRecord record) => Counts[record.State]++;
    }

    [Fact]
    public void StreamingSink_SeesTheSameRecords_WithoutAList()
    {
        var list = new List<SocketRecord>();
        InetDiagParser.Parse(Fixture.Bytes("inet_diag_v4.bin"), 1001, list);
        var counter = new StateCounter { Counts = new int[16] };

        var result = InetDiagParser.Parse(Fixture.Bytes("inet_diag_v4.bin"), 1001, ref counter);

        Assert.Equal(list.Count, result.Records);
        for (int state = 0; state < 16; state++)
        {
            Assert.Equal(list.Count(r => r.State == state), counter.Counts[state]);
        }
    }

    [Fact]
    public void CapturedLookup_IsSingleNonMultipartReply()
    {
        var records = new List<SocketRecord>();

        var result = InetDiagParser.Parse(Fixture.Bytes("lookup_found.bin"), 1003, records);

        Assert.Equal(NetlinkParseStatus.Done, result.Status);
        var record = Assert.Single(records);
        Assert.Equal(TcpState.FinWait2, record.KernelState);
        Assert.Equal(Fixture.Manifest().Single(m => m.Kind == "v4-half-closed").Inode, record.Inode);
    }

    [Fact]
    public void CapturedLookupMiss_IsKernelErrorEnoent()
    {
        var result = InetDiagParser.Parse(Fixture.Bytes("lookup_enoent.bin"), 1004, []);

        Assert.Equal(NetlinkParseStatus.KernelError, result.Status);
        Assert.Equal(Errno.ENOENT, result.Error);
    }

    [Fact]
    public void MultiPart_AcrossBuffers_ContinuesThenDone()
    {
        var first = new NetlinkBuilder().Socket(7, NetlinkBuilder.DiagMsg(8, 80, 5000, 111, rq: 1)).ToArray();
        var second = new NetlinkBuilder().Socket(7, NetlinkBuilder.DiagMsg(5, 5001, 80, 0, timer: 3, expires: 59_000)).Done(7).ToArray();
        var records = new List<SocketRecord>();

        var r1 = InetDiagParser.Parse(first, 7, records);
        var r2 = InetDiagParser.Parse(second, 7, records);

        Assert.Equal(NetlinkParseStatus.Continue, r1.Status);
        Assert.Equal(NetlinkParseStatus.Done, r2.Status);
        Assert.Equal(2, records.Count);
        Assert.Equal(80, records[0].Local.Port);
        Assert.Equal("10.0.0.1", records[0].Local.Address.ToString());
        Assert.Equal("10.0.0.2", records[0].Remote.Address.ToString());
        Assert.Equal(1u, records[0].RecvQ);
        Assert.Equal(59_000u, records[1].TimerExpiresMs);
        Assert.Equal(42UL, records[1].Cookie);
    }

    [Fact]
    public void OtherSequenceNumbers_AreSkipped_AsLeftoversOfAnEarlierRequest()
    {
        var bytes = new NetlinkBuilder()
            .Socket(6, NetlinkBuilder.DiagMsg(1, 1, 2, 3))
            .Done(6)
            .Socket(7, NetlinkBuilder.DiagMsg(1, 4, 5, 6))
            .Done(7).ToArray();
        var records = new List<SocketRecord>();

        var result = InetDiagParser.Parse(bytes, 7, records);

        Assert.Equal(NetlinkParseStatus.Done, result.Status);
        Assert.Equal(2, result.SkippedMessages);
        Assert.Equal(6UL, Assert.Single(records).Inode);
    }

    [Fact]
    public void NegativeDonePayload_IsKernelError()
    {
        var result = InetDiagParser.Parse(new NetlinkBuilder().Done(1, -(int)Errno.ENOMEM).ToArray(), 1, []);

        Assert.Equal(NetlinkParseStatus.KernelError, result.Status);
        Assert.Equal(Errno.ENOMEM, result.Error);
    }

    [Fact]
    public void ErrorZero_IsAnAck()
    {
        var result = InetDiagParser.Parse(new NetlinkBuilder().Error(1, 0).ToArray(), 1, []);

        Assert.Equal(NetlinkParseStatus.Done, result.Status);
    }

    [Fact]
    public void DumpIntrFlag_IsReported()
    {
        var bytes = new NetlinkBuilder().Message(20, 0x2 | 0x10, 1, NetlinkBuilder.DiagMsg(1, 1, 2, 3)).Done(1).ToArray();

        var result = InetDiagParser.Parse(bytes, 1, []);

        Assert.True(result.Interrupted);
    }

    [Fact]
    public void ShortTcpInfo_FromOlderKernel_FillsOnlyWhatWasSent()
    {
        // A 104-byte tcp_info (pre-3.15 layout ends at tcpi_total_retrans) with rto and last_data_recv set.
        var info = new byte[104];
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), 204_000);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(52), 1234);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(100), 9);
        var records = new List<SocketRecord>();

        InetDiagParser.Parse(new NetlinkBuilder().Socket(1, NetlinkBuilder.DiagMsg(8, 1, 2, 3), (2, info)).Done(1).ToArray(), 1, records);

        var r = Assert.Single(records);
        Assert.Equal(104, r.TcpInfoLength);
        Assert.Equal(204_000u, r.RtoUs);
        Assert.Equal(1234u, r.LastDataRecvMs);
        Assert.Equal(9u, r.TotalRetrans);
        Assert.Equal(0UL, r.BytesReceived); // beyond the reported length
    }

    [Fact]
    public void LongerTcpInfo_FromNewerKernel_IsAccepted()
    {
        var info = new byte[400];
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(68), 321);
        var records = new List<SocketRecord>();

        var result = InetDiagParser.Parse(new NetlinkBuilder().Socket(1, NetlinkBuilder.DiagMsg(1, 1, 2, 3), (2, info), (8, [3])).Done(1).ToArray(), 1, records);

        Assert.Equal(NetlinkParseStatus.Done, result.Status);
        Assert.Equal(321u, records[0].RttUs);
        Assert.Equal(400, records[0].TcpInfoLength);
        Assert.Equal(3, records[0].Shutdown);
    }

    [Theory]
    [InlineData(10)]   // shorter than nlmsghdr
    [InlineData(40)]   // header + part of inet_diag_msg
    [InlineData(100)]  // inside the attributes
    public void TruncatedInput_IsMalformed_NotAnException(int keep)
    {
        var full = new NetlinkBuilder().Socket(1, NetlinkBuilder.DiagMsg(1, 1, 2, 3), (2, new byte[232])).Done(1).ToArray();

        var result = InetDiagParser.Parse(full.AsSpan(0, keep), 1, []);

        Assert.Equal(NetlinkParseStatus.Malformed, result.Status);
    }

    [Fact]
    public void HeaderLengthBelowSixteen_IsMalformed()
    {
        var bytes = new NetlinkBuilder().Message(20, 2, 1, new byte[72], lengthOverride: 8).ToArray();

        Assert.Equal(NetlinkParseStatus.Malformed, InetDiagParser.Parse(bytes, 1, []).Status);
    }

    [Fact]
    public void AttributeLongerThanMessage_IsMalformed()
    {
        var attribute = NetlinkBuilder.Attributes((2, new byte[8]));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, 200);
        var bytes = new NetlinkBuilder().Message(20, 2, 1, [.. NetlinkBuilder.DiagMsg(1, 1, 2, 3), .. attribute]).ToArray();

        Assert.Equal(NetlinkParseStatus.Malformed, InetDiagParser.Parse(bytes, 1, []).Status);
    }

    [Fact]
    public void ArbitraryBytes_NeverThrow()
    {
        var real = Fixture.Bytes("inet_diag_v4.bin");
        Gen.Select(Gen.Int[0, real.Length], Gen.Int[0, real.Length - 1], Gen.Byte)
            .Sample((cut, flip, value) =>
            {
                var copy = real.AsSpan(0, cut).ToArray();
                if (flip < copy.Length)
                {
                    copy[flip] = value;
                }

                var result = InetDiagParser.Parse(copy, null, []);
                Assert.InRange(result.Consumed, 0, copy.Length);
            }, iter: 5000);
        Gen.Byte.Array[0, 600].Sample(bytes => InetDiagParser.Parse(bytes, null, []).Consumed <= bytes.Length, iter: 5000);
    }
}
