using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>ESTABLISHED (spec §3.0, §3.2 ESTABLISHED table; tcp_input.c:tcp_rcv_established, tcp_validate_incoming).</summary>
public sealed class EstablishedTests
{
    [Fact]
    public void Established_Fin_EntersCloseWait_AndAcksWithinAJiffyWhenNoDataWasEverReceived()
    {
        // Given a connection that never received data (icsk_ack.ato is still 0)
        var t = Fixtures.Established();

        // When the peer's FIN arrives
        t.Inject(t.Fin());

        // Then CLOSE_WAIT, and the ACK leaves at the next tick (§3.0 ACK timing, §6.1.15; [E6.18])
        t.ExpectState(TcpState.CloseWait);
        t.Run(4);
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
    }

    [Fact]
    public void Established_FinAfterData_AckIsDelayedAbout40ms()
    {
        // Given data was received (and ACKed) earlier
        var t = Fixtures.Established();
        t.Inject(t.Data(100)).Run(300);
        Assert.Equal(100, t.Recv().Value);
        t.TakeSent();

        // When the FIN arrives
        t.Inject(t.Fin());

        // Then the ACK is delayed by the delayed-ACK rules, ~40 ms (tcp_fin enters pingpong mode; §6.1.15)
        t.Run(30);
        t.ExpectNothingSent();
        t.Run(20);
        t.ExpectSent(".", ack: t.RcvNxt);
    }

    [Fact]
    public void Established_Fin_SetsSockDone_RecvReturnsZeroForever()
    {
        var t = Fixtures.Established();
        t.Inject(t.Fin());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(0, t.View.RecvQ);
    }

    [Fact]
    public void Established_RstExact_ResetsWithEconnreset_AndCountsEstabResets()
    {
        var t = Fixtures.Established();

        t.Inject(t.Rst());

        // tcp_reset: ECONNRESET, CLOSE, EstabResets; no RST answers a RST (§3.1)
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Close);
        Assert.Equal(1, t.Delta(Mib.EstabResets));
        Assert.Equal(-1, t.Delta(Mib.CurrEstab));
        Assert.Equal(Errno.ECONNRESET, t.Recv().Errno);
    }

    [Fact]
    public void Established_RstInWindowNotExact_GetsChallengeAck_AndSurvives()
    {
        var t = Fixtures.Established();

        t.Inject(t.Rst(seq: 10));

        // §3.0 step 4 (RFC 5961 §3.2): challenge ACK, TCPChallengeACK
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.Established);
        Assert.Equal(1, t.Delta(Mib.TCPChallengeACK));
    }

    [Fact]
    public void Established_RstOutOfWindow_IsIgnored()
    {
        var t = Fixtures.Established();
        t.Inject(t.Rst(seq: 10_000_000));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Established);
    }

    [Fact]
    public void Established_Syn_GetsChallengeAck_CountsSynChallenge()
    {
        var t = Fixtures.Established();

        t.Inject(t.Syn(seq: 5));

        // §3.0 step 5: never reset by a SYN
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.Established);
        Assert.Equal(1, t.Delta(Mib.TCPSYNChallenge));
        Assert.Equal(1, t.Delta(Mib.TCPChallengeACK));
    }

    [Fact]
    public void Established_SecondChallengeWithin500ms_IsSuppressed_ThenAllowedAgain()
    {
        var t = Fixtures.Established();

        t.Inject(t.Syn()).Run(100).Inject(t.Syn());

        // tcp_input.c:__tcp_oow_rate_limited, tcp_invalid_ratelimit = 500 ms ([E6.18])
        t.ExpectSent(".");
        Assert.Equal(1, t.Delta(Mib.TCPACKSkippedChallenge));

        t.Run(450).Inject(t.Syn());
        t.ExpectSent(".");
    }

    [Fact]
    public void Established_OutOfWindowData_GetsDupAck()
    {
        var t = Fixtures.Established();
        t.Inject(t.Data(10, seq: 10_000_000));
        t.ExpectSent(".", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.Established);
    }

    [Fact]
    public void Established_DataAfterShutRd_IsStillQueuedAckedAndReadable()
    {
        // §2.4 SHUT_RD, §6.1.8 [E6.18]
        var t = Fixtures.Established();
        t.Shutdown(ShutdownFlags.Receive);
        t.ExpectNothingSent();
        Assert.Equal(SyscallResult.Ok(0), t.Recv());

        t.Inject(t.Data(12)).Run(300);

        t.ExpectSent(".", ack: t.RcvNxt);
        Assert.Equal(12, t.View.RecvQ);
        Assert.Equal(12, t.Recv().Value);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void Established_RstAfterData_RecvGivesDataThenEconnresetThenZero()
    {
        // §6.1.6: the receive queue survives tcp_reset [E6.18: b'hello', ECONNRESET, b'']
        var t = Fixtures.Established();
        t.Inject(t.Data(5)).Inject(t.Rst());

        Assert.Equal(5, t.Recv().Value);
        Assert.Equal(Errno.ECONNRESET, t.Recv().Errno);
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
    }

    [Fact]
    public void Established_SendAfterRst_GivesEconnresetThenEpipe()
    {
        // §2.7, §6.1.7
        var t = Fixtures.Established();
        t.Inject(t.Rst());
        Assert.Equal(Errno.ECONNRESET, t.Send(1).Errno);
        Assert.Equal(Errno.EPIPE, t.Send(1).Errno);
    }

    [Fact]
    public void Established_AckBeyondSndNxt_IsDroppedWithoutChallenge()
    {
        // §3.0 step 6: ESTABLISHED drops an ACK of data never sent
        var t = Fixtures.Established();
        t.Inject(t.Ack(ack: 1000));
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Established);
    }

    [Fact]
    public void Established_BareFinWithoutAck_IsDropped()
    {
        // §3.0 step 1
        var t = Fixtures.Established();
        t.Inject(t.Seg("F"));
        t.Run(300);
        t.ExpectNothingSent();
        t.ExpectState(TcpState.Established);
    }
}

/// <summary>ESTABLISHED rows that depend on the out-of-order queue (spec §3.2 "FIN out of order"; tcp_input.c:tcp_data_queue_ofo).</summary>
public sealed class EstablishedOutOfOrderTests
{
    [Fact]
    public void Established_OutOfOrderFin_IsKeptUntilTheHoleFills_ThenEntersCloseWait()
    {
        // Given a FIN that arrives before 10 bytes it follows
        var t = Fixtures.Established();
        uint start = t.RcvNxt;
        t.Inject(t.Seg("F.", seq: 10));
        t.ExpectSent(".", ack: start);
        t.ExpectState(TcpState.Established);

        // When the hole is filled
        t.Inject(t.Data(10));

        // Then the queued FIN is processed: CLOSE_WAIT, rcv_nxt past data and FIN
        t.ExpectState(TcpState.CloseWait);
        Assert.Equal(Seq.Add(start, 11), t.RcvNxt);
    }
}
