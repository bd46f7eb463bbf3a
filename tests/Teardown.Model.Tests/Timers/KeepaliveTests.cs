using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>Keepalive probes and abort (spec §4.6; tcp_timer.c:tcp_keepalive_timer).</summary>
public sealed class KeepaliveTests
{
    private static TcpScript WithKeepalive(TcpScript t, int idle, int intvl, int cnt)
    {
        t.Local.SetKeepalive(t.Fd, true);
        t.Local.SetKeepaliveParameter(t.Fd, "TCP_KEEPIDLE", idle);
        t.Local.SetKeepaliveParameter(t.Fd, "TCP_KEEPINTVL", intvl);
        t.Local.SetKeepaliveParameter(t.Fd, "TCP_KEEPCNT", cnt);
        return t.Baseline();
    }

    [Fact]
    public void Keepalive_CloseWait_1_1_2_TwoProbesThenActiveRst_Etimedout()
    {
        // [E6.18]: probes at 0.96 s and 1.98 s, `[R.]` at 3.01 s; SO_ERROR = ETIMEDOUT; recv = 0;
        // TCPKeepAlive 2, TCPAbortOnTimeout 1
        var t = WithKeepalive(Fixtures.CloseWait(), 1, 1, 2);
        uint sndUna = t.Sock.SndUna;

        t.RunSeconds(1.1);
        t.ExpectSent(".", seq: Seq.Add(sndUna, -1), ack: t.RcvNxt);
        t.RunSeconds(1);
        t.ExpectSent(".", seq: Seq.Add(sndUna, -1));
        t.RunSeconds(1);
        t.ExpectSent("R.", seq: t.SndNxt, ack: t.RcvNxt);

        t.ExpectState(TcpState.Close);
        Assert.Equal(2, t.Delta(Mib.TCPKeepAlive));
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnTimeout));
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.ETIMEDOUT, t.SoError());
    }

    [Fact]
    public void Keepalive_ShowsKeepaliveTimer_WithProbesOut()
    {
        var t = WithKeepalive(Fixtures.CloseWait(), 1, 1, 2);
        t.ExpectTimer(TimerKind.Keepalive);
    }

    [Fact]
    public void Keepalive_AnsweredProbes_KeepTheConnectionAlive()
    {
        var t = WithKeepalive(Fixtures.Established(), 1, 1, 2);
        for (int i = 0; i < 10; i++)
        {
            t.RunSeconds(1.05);
            t.Inject(t.Ack());
        }

        t.ExpectState(TcpState.Established);
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnTimeout));
    }

    [Fact]
    public void Keepalive_RunsInAttachedFinWait2()
    {
        var t = WithKeepalive(Fixtures.FinWait2Attached(), 1, 1, 1);
        t.RunSeconds(5);
        Assert.Equal(1, t.Delta(Mib.TCPKeepAlive));
        t.ExpectState(TcpState.Close);
        Assert.Contains(t.TakeSent(), s => s.Flags == (TcpFlags.Rst | TcpFlags.Ack));
    }

    [Fact]
    public void WithoutSoKeepalive_AnIdleConnectionSendsNothingForever()
    {
        var t = Fixtures.Established();
        t.RunSeconds(100_000);
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Established).ExpectTimer(TimerKind.None);
    }
}
