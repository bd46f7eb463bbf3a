using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>No socket for the tuple (spec §0.6, §3.2 "No socket"; tcp_ipv4.c:tcp_v4_rcv no_tcp_socket, tcp_v4_send_reset).</summary>
public sealed class NoSocketTests
{
    private static Segment To(TcpFlags flags, uint seq, uint ack, int len = 0) =>
        new(TcpScript.PeerAddr, 4242, TcpScript.LocalAddr, 5555, seq, ack, flags, len, 65535, 1, 0);

    private static TcpScript Empty() => new TcpScript().Baseline();

    [Fact]
    public void NoSocket_SegmentWithAck_GetsRstWithSeqTheirAck_NoAckFlag_Window0()
    {
        var t = Empty();
        t.Local.Receive(To(TcpFlags.Ack | TcpFlags.Psh, 1000, 777_777, 10));
        var rst = Assert.Single(t.TakeSent());
        TcpScript.AssertSegment(rst, "R", seq: 777_777, window: 0);
        Assert.Equal(1, t.Delta(Mib.OutRsts));
    }

    [Fact]
    public void NoSocket_Syn_GetsRstAck_Seq0_AckSeqPlus1()
    {
        var t = Empty();
        t.Local.Receive(To(TcpFlags.Syn, 1000, 0));
        var rst = Assert.Single(t.TakeSent());
        TcpScript.AssertSegment(rst, "R.", seq: 0, ack: 1001, window: 0);
    }

    [Fact]
    public void NoSocket_FinWithDataWithoutAck_GetsRstAck_AckSeqPlusLenPlus1()
    {
        var t = Empty();
        t.Local.Receive(To(TcpFlags.Fin, 1000, 0, 10));
        var rst = Assert.Single(t.TakeSent());
        TcpScript.AssertSegment(rst, "R.", seq: 0, ack: 1011);
    }

    [Fact]
    public void NoSocket_Rst_IsNeverAnswered()
    {
        var t = Empty();
        t.Local.Receive(To(TcpFlags.Rst | TcpFlags.Ack, 1000, 5));
        Assert.Empty(t.TakeSent());
        Assert.Equal(0, t.Delta(Mib.OutRsts));
    }
}
