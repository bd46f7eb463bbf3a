using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>CLOSING (spec §3.2 CLOSING; [E6.18] FIN_WAIT1 + peer FIN → CLOSING 1 1 → ACK → TIME-WAIT).</summary>
public sealed class ClosingTests
{
    [Fact]
    public void Closing_AckOfOurFin_EntersTimeWaitFor60s()
    {
        var t = Fixtures.Closing();
        t.Inject(t.Ack());
        t.ExpectNothingSent();
        t.ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
        Assert.Equal(1, t.Delta(Mib.TW));
    }

    [Fact]
    public void Closing_RetransmittedFin_GetsImmediateDupAck()
    {
        var t = Fixtures.Closing();
        t.Inject(t.Fin(seq: -1, ack: -1));
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.Closing);
    }

    [Fact]
    public void Closing_DataBeyondRcvNxt_IsDropped()
    {
        var t = Fixtures.Closing();
        t.Inject(t.Data(10, ack: -1));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Closing);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Closing_RstExactOrAtRcvNxtMinusOne_Resets(int seq)
    {
        var t = Fixtures.Closing();
        t.Inject(t.Rst(seq));
        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void Closing_RstInWindowNonExact_GetsChallengeAck()
    {
        var t = Fixtures.Closing();
        t.Inject(t.Rst(seq: 50));
        t.ExpectSent(".", ack: t.RcvNxt);
        t.ExpectState(TcpState.Closing);
    }

    [Fact]
    public void Closing_Attached_RstExact_RecvReturnsZero_SoErrorEconnreset()
    {
        // §2.6: RST in CLOSING (attached) → recv 0 (SOCK_DONE first), ECONNRESET stays pending (derived)
        var t = Fixtures.Closing(orphan: false);
        t.Inject(t.Rst());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(Errno.ECONNRESET, t.SoError());
    }
}
