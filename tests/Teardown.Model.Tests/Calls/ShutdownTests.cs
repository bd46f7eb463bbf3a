using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>shutdown(how) per state (spec §2.4 table; af_inet.c:inet_shutdown, tcp.c:tcp_shutdown).</summary>
public sealed class ShutdownTests
{
    [Fact]
    public void Shutdown_AfterRst_GivesEnotconn()
    {
        // [E6.18] after RST
        var t = Fixtures.Established();
        t.Inject(t.Rst());
        Assert.Equal(Errno.ENOTCONN, t.Shutdown(ShutdownFlags.Both).Errno);
        t.ExpectNothingSent();
    }

    [Fact]
    public void Shutdown_AfterLinger0Abort_GivesEnotconn()
    {
        // [E6.18] SO_LINGER {1,0} on the peer: our shutdown gives ENOTCONN
        var t = Fixtures.Established().Heal();
        t.Peer.SetLinger(t.PeerFd, true, 0);
        t.Peer.Close(t.PeerFd);
        t.Run(10);
        Assert.Equal(Errno.ENOTCONN, t.Shutdown(ShutdownFlags.Send).Errno);
    }

    [Fact]
    public void Shutdown_WithNoDirection_GivesEinval()
    {
        var t = Fixtures.Established();
        Assert.Equal(Errno.EINVAL, t.Shutdown(ShutdownFlags.None).Errno);
    }

    [Fact]
    public void ShutRd_InEstablished_SendsNothing_RecvReturnsZeroAtOnce()
    {
        var t = Fixtures.Established();
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(ShutdownFlags.Receive));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Established);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void ShutWr_InEstablished_SendsFin_AttachedFinWait1()
    {
        var t = Fixtures.Established();
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(ShutdownFlags.Send));
        t.ExpectSent("F.");
        t.ExpectState(TcpState.FinWait1);
        Assert.False(t.View.Orphan);
    }

    [Theory]
    [InlineData(ShutdownFlags.Send)]
    [InlineData(ShutdownFlags.Both)]
    public void Shutdown_InFinWait2_SendsNothing_ReturnsZero(ShutdownFlags how)
    {
        var t = Fixtures.FinWait2Attached();
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(how));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2);
    }

    [Fact]
    public void Shutdown_InLastAck_SendsNothing()
    {
        var t = Fixtures.LastAck(orphan: false);
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(ShutdownFlags.Both));
        t.ExpectNothingSent();
    }

    [Fact]
    public void ShutWr_ThenSend_GivesEpipe()
    {
        var t = Fixtures.Established();
        t.Shutdown(ShutdownFlags.Send);
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }
}
