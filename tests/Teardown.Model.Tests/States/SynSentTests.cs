using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>SYN_SENT teardown (spec §2.1 close table, §2.4, §3.1; tcp_input.c:tcp_rcv_synsent_state_process).</summary>
public sealed class SynSentTests
{
    [Fact]
    public void SynSent_Close_DestroysItWithoutRst_ALaterSynAckGetsAReplyRst()
    {
        var t = Fixtures.SynSent();
        uint iss = t.Sock.Iss;

        t.Close();

        t.ExpectNothingSent();
        t.ExpectGone();
        var synAck = new Segment(TcpScript.PeerAddr, TcpScript.ServerPort, TcpScript.LocalAddr, t.Tuple.LocalPort,
            777, Seq.Add(iss, 1), TcpFlags.Syn | TcpFlags.Ack, 0, 65535, 1, 0);
        t.Inject(synAck);
        t.ExpectSent("R", seq: synAck.Ack);
    }

    /// <summary>What a host with no listener answers to our SYN (tcp_ipv4.c:tcp_v4_send_reset): RST+ACK of ISN + 1.</summary>
    private static Segment RstAckingTheSyn(TcpScript t) =>
        new(TcpScript.PeerAddr, TcpScript.ServerPort, TcpScript.LocalAddr, t.Tuple.LocalPort,
            0, Seq.Add(t.Sock.Iss, 1), TcpFlags.Rst | TcpFlags.Ack, 0, 0, 0, 0);

    [Fact]
    public void SynSent_RstWithGoodAck_RefusesTheConnection()
    {
        var t = Fixtures.SynSent();
        t.Inject(RstAckingTheSyn(t));

        Assert.True(t.ConnectCall!.Completed);
        Assert.Equal(Errno.ECONNREFUSED, t.ConnectCall.Result.Errno);
        Assert.Equal(1, t.Delta(Mib.AttemptFails));
    }

    [Fact]
    public void SynSent_RefusedConnect_DisconnectsTheSocket_SendQThree_NoPendingError()
    {
        // af_inet.c:__inet_stream_connect takes the error, then tcp_disconnect moves write_seq by
        // max_window + 2 past the SYN: ioctl(SIOCOUTQ) on the held CLOSE socket reads 3 (seen on 6.18).
        var t = Fixtures.SynSent();
        t.Inject(RstAckingTheSyn(t));

        Assert.Equal(Errno.ECONNREFUSED, t.ConnectCall!.Result.Errno);
        Assert.Equal(TcpState.Close, t.View.State);
        Assert.Equal(3, t.View.SendQ);
        Assert.Equal(Errno.None, t.SoError());
    }

    [Theory]
    [InlineData(2, 7.0, 5)]    // time wins: (2^3 − 1) × 1 s from the first SYN, after 5 retransmissions (seen on 6.18)
    [InlineData(6, 131.0, 10)] // count wins: 6 + 4 linear retransmissions, the last at 67 s, given up 64 s later
    public void SynSent_GivesUpByCountOrByTime_WhicheverComesFirst(int synRetries, double givesUpAt, int retransmissions)
    {
        var t = Fixtures.SynSent(local: k => k.TcpSynRetries = synRetries);

        t.RunSeconds(givesUpAt - 0.01);
        Assert.False(t.ConnectCall!.Completed);
        t.RunSeconds(0.01 + TcpScript.WheelSlack(givesUpAt));

        Assert.Equal(Errno.ETIMEDOUT, t.ConnectCall.Result.Errno);
        Assert.Equal(retransmissions, t.TakeSent().Count(x => x.Flags == TcpFlags.Syn));
    }

    [Fact]
    public void SynSent_Shutdown_AbortsConnect_WithoutRst()
    {
        // §2.4: tcp_disconnect, no RST, sk_err = ECONNRESET
        var t = Fixtures.SynSent();
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(ShutdownFlags.Send));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Close);
    }

    [Fact]
    public void SynSent_RetransmitsTheSynAfterOneSecond()
    {
        // TCP_TIMEOUT_INIT = 1 s: 250 jiffies, a level-1 timer run at the next multiple of 8 jiffies
        var t = Fixtures.SynSent();
        t.Run(1000);
        t.ExpectNothingSent();
        t.RunSeconds(TcpScript.WheelSlack(1));
        t.ExpectSent("S", seq: t.Sock.Iss);
    }
}
