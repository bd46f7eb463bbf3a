using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>Smaller call rules: listeners, SYN_SENT aborts, old ACKs during closing (spec §2.2, §2.4, §2.6, §3.0 step 6).</summary>
public sealed class MiscCallTests
{
    [Fact]
    public void RecvOnAListener_GivesEnotconn()
    {
        var t = new TcpScript();
        int fd = (int)t.Local.Listen(8080).Value;
        Assert.Equal(Errno.ENOTCONN, t.Local.Recv(fd, 10).Errno);
    }

    [Fact]
    public void ShutRdOnAListener_ClosesIt()
    {
        // §2.4: LISTEN with RCV_SHUTDOWN → the listener is closed (tcp_disconnect)
        var t = new TcpScript();
        int fd = (int)t.Local.Listen(8080).Value;
        Assert.Equal(SyscallResult.Ok(), t.Local.Shutdown(fd, ShutdownFlags.Receive));
        Assert.Empty(t.Local.KernelSockets);
    }

    [Fact]
    public void ShutWrOnAListener_DoesNothing()
    {
        var t = new TcpScript();
        int fd = (int)t.Local.Listen(8080).Value;
        Assert.Equal(SyscallResult.Ok(), t.Local.Shutdown(fd, ShutdownFlags.Send));
        Assert.Single(t.Local.KernelSockets);
    }

    [Fact]
    public void Linger0InSynSent_SendsNoRst()
    {
        // §2.2: no RST for SYN_SENT
        var t = Fixtures.SynSent();
        t.Local.SetLinger(t.Fd, true, 0);
        t.Close();
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void ReorderedFinWithAnOldAck_IsStillProcessed()
    {
        // §3.0 step 6: "An older but plausible ack is accepted … A reordered FIN that carries an old ack is
        // still processed."
        var t = Fixtures.Established();
        t.Send(100);
        t.Inject(t.Ack()).TakeSent();

        t.Inject(t.Fin(ack: -50));

        t.ExpectState(TcpState.CloseWait);
    }
}
