using Teardown.Model.Kernel;

namespace Teardown.Model.Tests.Harness;

/// <summary>Each fixture reaches the state it is named after (smoltcp's sanity!), so state tests start right.</summary>
public sealed class FixtureTests
{
    [Fact]
    public void Established_IsEstablished_AndAttached()
    {
        var t = Fixtures.Established();
        Assert.Equal(new EndView(TcpState.Established, TimerKind.None, null, 0, 0, false), t.View);
    }

    [Fact]
    public void SynSent_IsSynSent_WithRetransmitTimerAtOneSecond() =>
        Fixtures.SynSent().ExpectState(TcpState.SynSent).ExpectTimer(TimerKind.Retransmit, 1.0);

    [Fact]
    public void CloseWait_IsCloseWait_WithTheFinCountedInRecvQ()
    {
        var t = Fixtures.CloseWait();
        Assert.Equal(new EndView(TcpState.CloseWait, TimerKind.None, null, 1, 0, false), t.View);
    }

    [Fact]
    public void FinWait1_IsOrphanFinWait1_WithTheFinInSendQ()
    {
        var t = Fixtures.FinWait1();
        t.ExpectState(TcpState.FinWait1).ExpectTimer(TimerKind.Retransmit);
        Assert.True(t.View.Orphan);
        Assert.Equal(1, t.View.SendQ);
    }

    [Fact]
    public void FinWait2Attached_IsFinWait2_WithNoTimer()
    {
        var t = Fixtures.FinWait2Attached();
        Assert.Equal(new EndView(TcpState.FinWait2, TimerKind.None, null, 0, 0, false), t.View);
    }

    [Fact]
    public void FinWait2Orphan_Default_IsTimewaitSocketInSubstateFinWait2() =>
        Fixtures.FinWait2Orphan().ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Timewait, 60.0);

    [Fact]
    public void FinWait2Orphan_Linger2Of65_IsFullSocketOnKeepaliveTimer()
    {
        var t = Fixtures.FinWait2Orphan(linger2: 65);
        t.ExpectState(TcpState.FinWait2).ExpectTimer(TimerKind.Keepalive, 5.0);
        Assert.Null(t.Timewait);
    }

    [Fact]
    public void Closing_IsClosing_WithFinInBothQueues()
    {
        var t = Fixtures.Closing();
        t.ExpectState(TcpState.Closing).ExpectTimer(TimerKind.Retransmit);
        Assert.Equal((1L, 1L), (t.View.RecvQ, t.View.SendQ));
    }

    [Fact]
    public void LastAck_IsOrphanLastAck() =>
        Fixtures.LastAck().ExpectState(TcpState.LastAck).ExpectTimer(TimerKind.Retransmit);

    [Fact]
    public void TimeWait_IsTimewaitSocketFor60Seconds() =>
        Fixtures.TimeWait().ExpectState(TcpState.TimeWait).ExpectTimer(TimerKind.Timewait, 60.0);
}
