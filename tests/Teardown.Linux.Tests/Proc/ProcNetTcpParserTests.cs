using Teardown.Linux.Netlink;
using Teardown.Linux.Proc;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Proc;

public sealed class ProcNetTcpParserTests
{
    [Theory]
    [InlineData("proc_net_tcp.txt", AddressFamilies.Inet)]
    [InlineData("proc_net_tcp6.txt", AddressFamilies.Inet6)]
    public void CapturedFile_MatchesEverySocketTheCaptureCreated(string file, byte family)
    {
        var records = new List<SocketRecord>();

        var summary = ProcNetTcpParser.Parse(Fixture.Text(file), family, records);

        Assert.Equal(0, summary.MalformedLines);
        foreach (var socket in Fixture.Manifest().Where(m => m.Family == family))
        {
            var record = Assert.Single(records, r => socket.Matches(r) && r.KernelState == socket.State);
            Assert.Equal(socket.Inode, record.Inode);
            if (socket.RecvQ is uint rq)
            {
                Assert.Equal(rq, record.RecvQ);
            }
        }
    }

    [Theory]
    [InlineData("proc_net_tcp.txt", "inet_diag_v4.bin", 1001u, AddressFamilies.Inet)]
    [InlineData("proc_net_tcp6.txt", "inet_diag_v6.bin", 1002u, AddressFamilies.Inet6)]
    public void CapturedFile_AgreesWithTheNetlinkDumpOfTheSameSockets(string text, string dump, uint seq, byte family)
    {
        var fromProc = new List<SocketRecord>();
        var fromNetlink = new List<SocketRecord>();
        ProcNetTcpParser.Parse(Fixture.Text(text), family, fromProc);
        InetDiagParser.Parse(Fixture.Bytes(dump), seq, fromNetlink);

        Assert.Equal(fromNetlink.Count, fromProc.Count);
        foreach (var n in fromNetlink)
        {
            var p = Assert.Single(fromProc, r => r.Local == n.Local && r.Remote == n.Remote);
            Assert.Equal(n.State, p.State);
            Assert.Equal(n.Inode, p.Inode);
            Assert.Equal(n.RecvQ, p.RecvQ);
            Assert.Equal(n.Timer, p.Timer);
            // Same timer, two clocks: /proc rounds to 10 ms ticks and was read a moment later.
            Assert.InRange((long)p.TimerExpiresMs, (long)n.TimerExpiresMs - 2_000, n.TimerExpiresMs);
            Assert.Equal(SocketSource.ProcNetTcp, p.Source);
            Assert.False(p.Known.HasFlag(SocketFields.Cookie));
        }
    }

    [Fact]
    public void Ipv4Line_DecodesHostEndianHexWords_AndTimerTicks()
    {
        const string Line = "   4: 0100007F:8DD0 0200000A:A063 05 00000010:00000002 03:0000174C 00000003     7        0 0 3 000000000ff787d5";

        Assert.True(ProcNetTcpParser.TryParseLine(Line, AddressFamilies.Inet, out var r));

        Assert.Equal("127.0.0.1", r.Local.Address.ToString());
        Assert.Equal(0x8DD0, r.Local.Port);
        Assert.Equal("10.0.0.2", r.Remote.Address.ToString());
        Assert.Equal(TcpState.FinWait2, r.KernelState);
        Assert.Equal(0x10u, r.SendQ);
        Assert.Equal(2u, r.RecvQ);
        Assert.Equal((byte)TimerKind.Timewait, r.Timer);
        Assert.Equal(0x174Cu * 10, r.TimerExpiresMs); // 5964 ticks of 10 ms
        Assert.Equal(3, r.Retrans);
        Assert.Equal(7u, r.Uid);
        Assert.Equal(0UL, r.Inode);
    }

    [Fact]
    public void Ipv6Line_DecodesEachWordByteSwapped_IncludingV4Mapped()
    {
        const string Line = "   3: 0000000000000000FFFF00000100007F:C4D7 00000000000000000000000001000000:D33A 01 00000000:00000000 00:00000000 00000000     0        0 37502 1 0000000000000000 20 4 30 10 -1";

        Assert.True(ProcNetTcpParser.TryParseLine(Line, AddressFamilies.Inet6, out var r));

        Assert.Equal("::ffff:127.0.0.1", r.Local.Address.ToString());
        Assert.Equal("::1", r.Remote.Address.ToString());
        Assert.Equal(37502UL, r.Inode);
    }

    [Theory]
    [InlineData("   0: 0100007F:8DD0 0100007F:A063")]
    [InlineData("   0: 0100007F 0100007F:A063 05 00000000:00000000 00:00000000 00000000 0 0 0")]
    [InlineData("   0: 0100007F:8DD0 0100007F:A063 XX 00000000:00000000 00:00000000 00000000 0 0 0")]
    [InlineData("   0: 0100007F:18DD0 0100007F:A063 05 00000000:00000000 00:00000000 00000000 0 0 0")]
    public void MalformedLines_AreCounted_NotThrown(string line)
    {
        var records = new List<SocketRecord>();

        var summary = ProcNetTcpParser.Parse("  sl  local_address ...\n" + line + "\n", AddressFamilies.Inet, records);

        Assert.Equal(new ProcNetTcpSummary(0, 1), summary);
    }

    [Fact]
    public void EmptyFile_HasNoRecords() =>
        Assert.Equal(new ProcNetTcpSummary(0, 0), ProcNetTcpParser.Parse("", AddressFamilies.Inet, []));
}
