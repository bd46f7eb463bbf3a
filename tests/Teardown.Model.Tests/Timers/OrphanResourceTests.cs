using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>tcp_out_of_resources at an RTO firing, and timeouts seen by a half-closed socket (spec §4.4, §2.6, §4.6).</summary>
public sealed class OrphanResourceTests
{
    [Fact]
    public void OrphanFinWait1_TooManyOrphansAtTheNextRto_ActiveRst_AbortOnMemory()
    {
        // §4.4: tcp_out_of_resources(sk, do_reset = alive) runs before the give-up check; with the orphan count
        // over tcp_max_orphans it sends an RST (do_reset holds) and tcp_done, counting TCPAbortOnMemory.
        var t = Fixtures.FinWait1();
        t.Local.Settings.TcpMaxOrphans = 0;

        t.Run(450);

        Assert.Contains(t.TakeSent(), s => s.Flags == (TcpFlags.Rst | TcpFlags.Ack));
        t.ExpectGone();
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnMemory));
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnTimeout));
    }

    [Fact]
    public void CloseWait_RetransmissionTimeout_RecvStillZero_SoErrorEtimedout()
    {
        // §2.6: "If a FIN had been received: 0, and SO_ERROR = ETIMEDOUT"
        var t = Fixtures.CloseWait(local: k => k.TcpRetries2 = 3);
        t.Send(10);
        t.RunSeconds(20);
        t.ExpectState(TcpState.Close);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.ETIMEDOUT, t.SoError());
    }

    [Fact]
    public void Keepalive_WithUserTimeout_AbortsOnceIdleReachesItWithAProbeOut()
    {
        // §4.6: with a user timeout, abort when idle ≥ user timeout and probes_out > 0 (KEEPCNT is ignored)
        var t = Fixtures.Established();
        t.Local.SetKeepalive(t.Fd, true);
        t.Local.SetKeepaliveParameter(t.Fd, "TCP_KEEPIDLE", 1);
        t.Local.SetKeepaliveParameter(t.Fd, "TCP_KEEPINTVL", 1);
        t.Local.SetKeepaliveParameter(t.Fd, "TCP_KEEPCNT", 9);
        t.Local.SetUserTimeout(t.Fd, 2500);
        t.Baseline();

        t.RunSeconds(2.9);
        t.ExpectState(TcpState.Established);
        t.RunSeconds(0.2);

        t.ExpectState(TcpState.Close);
        Assert.Equal(2, t.Delta(Mib.TCPKeepAlive));
        Assert.Equal(Errno.ETIMEDOUT, t.SoError());
    }
}
