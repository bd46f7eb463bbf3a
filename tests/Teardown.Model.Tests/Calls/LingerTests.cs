using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>SO_LINGER (spec §2.2, §2.3, §6.1.13; tcp.c:tcp_disconnect; stream.c:sk_stream_wait_close; af_inet.c:inet_release).</summary>
public sealed class LingerTests
{
    [Fact]
    public void Linger0_Established_SendsActiveRst_CountsAbortOnData_NotAbortOnLinger()
    {
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, on: true, seconds: 0);

        Assert.Equal(SyscallResult.Ok(), t.Close().Result);

        t.ExpectSent("R.", seq: t.SndNxt, ack: t.RcvNxt);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnData));
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnLinger));
        Assert.Equal(1, t.Delta(Mib.EstabResets));
        Assert.Equal(1, t.Delta(Mib.OutRsts));
        t.ExpectGone();
    }

    [Fact]
    public void Linger0_CloseWait_SendsActiveRst()
    {
        var t = Fixtures.CloseWait();
        t.Local.SetLinger(t.Fd, true, 0);
        t.Close();
        t.ExpectSent("R.");
        Assert.Equal(1, t.Delta(Mib.EstabResets));
    }

    [Fact]
    public void Linger0_WithUnreadData_CountsAbortOnClose_NotAbortOnData()
    {
        // §2.2: the unread-data check (step 5b) wins
        var t = Fixtures.Established();
        t.Inject(t.Data(5)).Run(300).Baseline();
        t.Local.SetLinger(t.Fd, true, 0);
        t.Close();
        t.ExpectSent("R.");
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnClose));
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnData));
    }

    [Fact]
    public void Linger0_LastAckWithEverythingSent_SendsNoRst()
    {
        // §2.2: CLOSING/LAST_ACK get an RST only while snd_nxt ≠ write_seq
        var t = Fixtures.LastAck(orphan: false);
        t.Local.SetLinger(t.Fd, true, 0);
        t.Close();
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void LingerN_BlocksClose_UntilTheFinIsAcked_AndReturnsZero()
    {
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 5);

        var call = t.Close();
        t.RunSeconds(1);
        Assert.False(call.Completed);

        t.Inject(t.Ack());

        Assert.True(call.Completed);
        Assert.Equal(SyscallResult.Ok(), call.Result);
        Assert.Equal(t.Now, call.CompletedAt);
    }

    [Fact]
    public void LingerN_WhileCloseBlocks_NoDescriptorHoldsTheSocket()
    {
        // fs/file.c: close() takes the descriptor out of the table before tcp_close lingers (seen on 6.18).
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 5);

        t.Close();
        t.RunSeconds(1);

        t.ExpectState(TcpState.FinWait1);
        Assert.True(t.View.Orphan);
    }

    [Fact]
    public void LingerN_TimesOut_ReturnsZero_LeavesOrphanFinWait1_WithoutRst()
    {
        // [E6.18]: linger 2 s, peer black-holed: returned 0 after 2.01 s, orphan FIN-WAIT-1
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 2);
        SimTime start = t.Now;

        var call = t.Close();
        t.RunSeconds(2.5);

        Assert.True(call.Completed);
        Assert.Equal(SyscallResult.Ok(), call.Result);
        Assert.Equal(2.0, (call.CompletedAt - start).Seconds, 2);
        Assert.DoesNotContain(t.TakeSent(), s => s.Rst);
        t.ExpectState(TcpState.FinWait1);
        Assert.True(t.View.Orphan);
    }

    [Fact]
    public void LingerN_AtProcessExit_DoesNotBlock_SendsFin()
    {
        // §2.3 [E6.18]: linger {1,5} at exit gave an immediate FIN and an orphan FIN-WAIT-1
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 5);

        t.Local.Kill();

        Assert.Null(t.Local.Blocked);
        t.ExpectSent("F.");
        t.ExpectState(TcpState.FinWait1);
        Assert.True(t.View.Orphan);
    }

    [Fact]
    public void Linger0_AtProcessExit_StillSendsRst()
    {
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 0);
        t.Local.Kill();
        t.ExpectSent("R.");
        t.ExpectGone();
    }

    [Fact]
    public void LingerN_DoesNotApplyToShutdown()
    {
        // §2.2: inet_shutdown never waits
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 5);
        Assert.Equal(SyscallResult.Ok(), t.Shutdown(ShutdownFlags.Send));
        Assert.Null(t.Local.Blocked);
    }
}

/// <summary>What arrives while close() lingers (spec §2.1 step 6, §3.2 FIN_WAIT1 "FIN+ACK covering our FIN").</summary>
public sealed class LingeringCloseArrivalsTests
{
    [Fact]
    public void LingerN_FinAckArrivesWhileLingering_EntersTimeWait_AndAcksTheFin()
    {
        // The socket is still attached while close() sleeps in sk_stream_wait_close, so the FIN+ACK is processed
        // in full: FIN_WAIT1 → FIN_WAIT2 → tcp_fin → TIME_WAIT with an immediate ACK. close() then returns 0.
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 5);
        var call = t.Close();
        t.TakeSent();

        t.Inject(t.Fin());

        Assert.True(call.Completed);
        Assert.Equal(SyscallResult.Ok(), call.Result);
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void LingerN_PeerFinWithoutAckingOurs_KeepsLingeringInClosing()
    {
        // The wait continues while the state is FIN_WAIT1, CLOSING or LAST_ACK.
        var t = Fixtures.Established();
        t.Local.SetLinger(t.Fd, true, 5);
        var call = t.Close();

        t.Inject(t.Fin(ack: -1));

        Assert.False(call.Completed);
        t.ExpectState(TcpState.Closing);
        t.Inject(t.Ack());
        Assert.True(call.Completed);
        t.ExpectState(TcpState.TimeWait);
    }
}
