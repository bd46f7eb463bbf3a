using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>close(): the order of tcp.c:__tcp_close (spec §2.1), the close table, and §6.1.9/§6.1.10.</summary>
public sealed class CloseTests
{
    [Fact]
    public void Close_Established_SendsFin_LeavesOrphanFinWait1()
    {
        var t = Fixtures.Established();
        Assert.Equal(SyscallResult.Ok(), t.Close().Result);
        t.ExpectSent("F.", seq: Seq.Add(t.SndNxt, -1), ack: t.RcvNxt);
        t.ExpectState(TcpState.FinWait1).ExpectTimer(TimerKind.Retransmit);
        Assert.True(t.View.Orphan);
        Assert.Equal(1, t.Local.OrphanCount);
    }

    [Fact]
    public void Close_WithUnreadData_SendsActiveRstInsteadOfFin_CountsAbortOnClose()
    {
        // §2.1 step 5b [E6.18]: `[R.] seq=snd_nxt ack=rcv_nxt`; TCPAbortOnClose, EstabResets, OutRsts
        var t = Fixtures.Established();
        t.Inject(t.Data(5)).Run(300).Baseline();

        t.Close();

        t.ExpectSent("R.", seq: t.SndNxt, ack: t.RcvNxt);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnClose));
        Assert.Equal(1, t.Delta(Mib.EstabResets));
        Assert.Equal(1, t.Delta(Mib.OutRsts));
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnData));
        t.ExpectGone();
    }

    [Fact]
    public void Close_WithUnreadDataInCloseWait_SendsRst()
    {
        var t = Fixtures.Established();
        t.Inject(t.Data(5)).Inject(t.Fin()).Run(300).Baseline();
        t.ExpectState(TcpState.CloseWait);

        t.Close();

        t.ExpectSent("R.", ack: t.RcvNxt);
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnClose));
        Assert.Equal(1, t.Delta(Mib.EstabResets));
    }

    [Fact]
    public void Close_OnlyTheFinUnread_IsNotUnreadData_SendsFin()
    {
        // §6.1.9: a pending FIN alone does not count as unread
        var t = Fixtures.CloseWait();
        t.Close();
        t.ExpectSent("F.");
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnClose));
    }

    [Fact]
    public void Close_WithUnreadDataInLastAckAfterShutWr_SendsRst_AndLosesUnsentData()
    {
        // §6.1.9: close() with unread data sends RST even in LAST_ACK
        var t = Fixtures.Established();
        t.Inject(t.Data(5)).Inject(t.Fin()).Run(300);
        t.Shutdown(ShutdownFlags.Send);
        t.ExpectState(TcpState.LastAck);
        t.Baseline();

        t.Close();

        t.ExpectSent("R.");
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnClose));
        t.ExpectGone();
    }

    [Fact]
    public void Close_FinWait1AfterShutWr_SendsNothing_StaysOrphanFinWait1()
    {
        var t = Fixtures.FinWait1(orphan: false);
        t.Close();
        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait1);
        Assert.True(t.View.Orphan);
    }

    [Fact]
    public void Close_AfterRst_JustFreesTheSocket()
    {
        var t = Fixtures.Established();
        t.Inject(t.Rst());
        Assert.Equal(SyscallResult.Ok(), t.Close().Result);
        t.ExpectNothingSent();
        t.ExpectGone();
        Assert.True(t.Sock.Freed);
    }

    [Fact]
    public void Close_TooManyOrphans_SendsFinThenRst_CountsAbortOnMemory()
    {
        // §2.1 step 9, §6.1.10 [E6.18]: `[F.]` then `[R.] seq=FIN+1`
        var t = Fixtures.Established(local: k => k.TcpMaxOrphans = 0);

        t.Close();

        var sent = t.TakeSent();
        Assert.Equal(2, sent.Count);
        TcpScript.AssertSegment(sent[0], "F.");
        TcpScript.AssertSegment(sent[1], "R.", seq: Seq.Add(sent[0].Seq, 1));
        Assert.Equal(1, t.Delta(Mib.TCPAbortOnMemory));
        t.ExpectGone();
        Assert.Equal(0, t.Local.OrphanCount);
    }

    [Fact]
    public void Close_Listener_StopsIt()
    {
        var t = new TcpScript();
        int fd = (int)t.Local.Listen(8080).Value;
        Assert.Equal(SyscallResult.Ok(), t.Local.Close(fd).Result);
        Assert.Empty(t.Local.KernelSockets);
    }
}
