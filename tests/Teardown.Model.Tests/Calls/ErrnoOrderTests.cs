using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>
/// recv / send / SO_ERROR results and their order after resets and timeouts (spec §2.6, §2.7, §2.8;
/// tcp.c:tcp_recvmsg_locked, tcp_sendmsg_locked; stream.c:sk_stream_error).
/// </summary>
public sealed class ErrnoOrderTests
{
    [Fact]
    public void RecvAfterEof_ReturnsZeroForever_EvenAfterARst()
    {
        // SOCK_DONE is checked before sk_err
        var t = Fixtures.CloseWait();
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        t.Inject(t.Rst());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void SoError_IsReportedOnce()
    {
        var t = Fixtures.Established();
        t.Inject(t.Rst());
        Assert.Equal(Errno.ECONNRESET, t.SoError());
        Assert.Equal(Errno.None, t.SoError());
        // the error is gone, so recv reaches RCV_SHUTDOWN (set by tcp_done) and returns 0
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void Recv_InEstablishedWithNothingQueued_GivesEagain()
    {
        var t = Fixtures.Established();
        Assert.Equal(Errno.EAGAIN, t.Recv().Errno);
    }

    [Fact]
    public void WritingToAPeerThatClosed_FirstSendSucceeds_ThePeersRstMakesTheNextOnesEpipe()
    {
        // §2.7 [E6.18]: 1, EPIPE, EPIPE
        var t = Fixtures.Established().Heal();
        t.Peer.Close(t.PeerFd);
        t.Run(50);
        t.ExpectState(TcpState.CloseWait);

        Assert.Equal(1, t.Send(1).Value);
        t.Run(50);

        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
        Assert.Equal(1, t.Peer.Counter(Mib.OutRsts));
    }

    [Fact]
    public void TimeoutWithRetries2Of3_RecvGivesEtimedoutThenZero_SendEpipe()
    {
        // §4.4 [E6.18]: tcp_retries2 = 3 → ETIMEDOUT at about 6.6 s; recv ETIMEDOUT then b''; send EPIPE
        var t = Fixtures.Established(local: k => k.TcpRetries2 = 3);
        t.Send(10);
        t.RunSeconds(20);
        Assert.Equal(Errno.ETIMEDOUT, t.Recv().Errno);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void Timeout_SendGivesEtimedoutOnceThenEpipe()
    {
        var t = Fixtures.Established(local: k => k.TcpRetries2 = 3);
        t.Send(10);
        t.RunSeconds(20);
        Assert.Equal(Errno.ETIMEDOUT, t.Send(1).Errno);
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void RstInLastAckAttached_RecvZero_ThenSendEconnresetThenEpipe()
    {
        var t = Fixtures.LastAck(orphan: false);
        t.Inject(t.Rst());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.ECONNRESET, t.Send(1).Errno);
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }
}
