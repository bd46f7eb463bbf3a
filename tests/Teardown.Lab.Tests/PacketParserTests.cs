using System.Net;
using Teardown.Lab.Wire;
using Teardown.Model;

namespace Teardown.Lab.Tests;

public sealed class PacketParserTests
{
    [Fact]
    public void FinAck_WithOptionsAndPayload_AllFieldsRead()
    {
        byte[] p = Packets.Tcp("192.0.2.1", 40000, "192.0.2.2", 8080, 0xFFFFFFF0, 7, TcpFlags.Fin | TcpFlags.Ack | TcpFlags.Psh, 63, payload: 10, tcpOptions: 12);
        TcpSegment s = PacketParser.TryParse(p)!;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 40000), s.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.2"), 8080), s.Destination);
        Assert.Equal(0xFFFFFFF0u, s.Seq);
        Assert.Equal(7u, s.Ack);
        Assert.Equal(TcpFlags.Fin | TcpFlags.Ack | TcpFlags.Psh, s.Flags);
        Assert.Equal(63, s.Window);
        Assert.Equal(10, s.PayloadLength);
        Assert.Equal("FP.", s.Flags.ToNotation());
    }

    [Fact]
    public void EcnBits_AreNotFlagsOfTheNotation()
    {
        byte[] p = Packets.Tcp("192.0.2.1", 1, "192.0.2.2", 2, 0, 0, TcpFlags.Syn);
        p[20 + 13] |= 0xC0; // CWR, ECE
        Assert.Equal(TcpFlags.Syn, PacketParser.TryParse(p)!.Flags);
    }

    [Fact]
    public void NotTcp_Ipv6_Truncated_OrLaterFragment_GiveNull()
    {
        byte[] udp = Packets.Tcp("192.0.2.1", 1, "192.0.2.2", 2, 0, 0, TcpFlags.Ack);
        udp[9] = 17;
        Assert.Null(PacketParser.TryParse(udp));
        byte[] v6 = new byte[60];
        v6[0] = 0x60;
        Assert.Null(PacketParser.TryParse(v6));
        Assert.Null(PacketParser.Destination(v6));
        byte[] full = Packets.Tcp("192.0.2.1", 1, "192.0.2.2", 2, 0, 0, TcpFlags.Ack);
        Assert.Null(PacketParser.TryParse(full.AsSpan(0, 30)));
        byte[] frag = Packets.Tcp("192.0.2.1", 1, "192.0.2.2", 2, 0, 0, TcpFlags.Ack);
        frag[7] = 0x10; // fragment offset != 0
        Assert.Null(PacketParser.TryParse(frag));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), PacketParser.Destination(frag));
    }

    [Fact]
    public void SequenceTracker_MakesNumbersRelativeToEachSidesIsn_AndRestartsOnNewSyn()
    {
        var t = new SequenceTracker();
        TcpSegment Seg(string src, int sp, string dst, int dp, uint seq, uint ack, TcpFlags f) =>
            PacketParser.TryParse(Packets.Tcp(src, sp, dst, dp, seq, ack, f))!;
        Assert.Equal((0u, 0u), t.Relative(Seg("192.0.2.1", 5, "192.0.2.2", 80, 1000, 0, TcpFlags.Syn)));
        Assert.Equal((0u, 1u), t.Relative(Seg("192.0.2.2", 80, "192.0.2.1", 5, 4_294_967_290, 1001, TcpFlags.Syn | TcpFlags.Ack)));
        Assert.Equal((1u, 1u), t.Relative(Seg("192.0.2.1", 5, "192.0.2.2", 80, 1001, 4_294_967_291, TcpFlags.Ack)));
        Assert.Equal((7u, 11u), t.Relative(Seg("192.0.2.2", 80, "192.0.2.1", 5, 1, 1011, TcpFlags.Fin | TcpFlags.Ack))); // wrapped
        Assert.Equal((0u, 0u), t.Relative(Seg("192.0.2.1", 5, "192.0.2.2", 80, 555, 0, TcpFlags.Syn)));
        Assert.Equal((123u, 0u), t.Relative(Seg("192.0.2.9", 5, "192.0.2.2", 80, 123, 0, TcpFlags.Rst))); // unknown: absolute
    }
}
