using Teardown.Doctor.Classification;
using Teardown.Doctor.Forecast;
using Teardown.Model.Kernel;

namespace Teardown.Doctor.Tests.Forecast;

/// <summary>The model run forward from seeded sockets: the seed's situations, before and after a change.</summary>
public class ModelForecasterTests
{
    /// <summary>The timer wheel runs a 16–129 s timer up to 2.048 s after its deadline at HZ 250 (Model.Rules.TimerWheel).</summary>
    private const double WheelSlack = 2.1;

    private static KernelSettings Linux(int finTimeout = 60) => new() { TcpFinTimeout = finTimeout };

    private static SettingChange Set(string key, string value) => new() { Sysctls = [new(key, value)] };

    [Fact]
    public void CloseWaitIsNeverReapedWhateverTcpFinTimeout()
    {
        var observed = new ObservedEnd(SocketClass.CloseWaitUnreadEof, Side.Server);
        var before = ModelForecaster.Existing(observed, Linux());
        var after = ModelForecaster.Existing(observed, Linux(), Set("net.ipv4.tcp_fin_timeout", "10"));
        Assert.True(before.Never);
        Assert.True(after.Never);
        Assert.Equal(PeerSees.Nothing, after.PeerSees);
    }

    [Fact]
    public void AnOrphanOnTheTimewaitPathKeepsTheBudgetItWasGiven()
    {
        // Armed with 60 s, 20 s left: tcp_time_wait armed the timer at close; a later sysctl cannot move it.
        var observed = new ObservedEnd(SocketClass.FinWait2Orphaned, Side.Client, TimerKind.Timewait, TimeSpan.FromSeconds(20));
        var before = ModelForecaster.Existing(observed, Linux());
        var after = ModelForecaster.Existing(observed, Linux(), Set("net.ipv4.tcp_fin_timeout", "10"));
        Assert.InRange(before.ReapedAfter!.Value.TotalSeconds, 19.9, 20.1 + WheelSlack);
        Assert.InRange(after.ReapedAfter!.Value.TotalSeconds, 19.9, 20.1 + WheelSlack);
        Assert.Equal(Causes.TimewaitExpired, after.EndedBy);
        Assert.Equal(PeerSees.Nothing, after.PeerSees);
    }

    [Fact]
    public void NewOrphansLiveTcpFinTimeout()
    {
        var observed = new ObservedEnd(SocketClass.FinWait2Orphaned, Side.Client);
        var before = ModelForecaster.Fresh(observed, Linux());
        var after = ModelForecaster.Fresh(observed, Linux(), Set("net.ipv4.tcp_fin_timeout", "10"));
        Assert.InRange(before.ReapedAfter!.Value.TotalSeconds, 60, 60.1 + WheelSlack);
        Assert.InRange(after.ReapedAfter!.Value.TotalSeconds, 10, 10.1 + 0.3);
    }

    [Fact]
    public void AboveSixtySecondsAnOrphanLivesTwiceXMinus120()
    {
        // X = 100 s: 40 s on the keepalive timer, then a timewait socket for 40 s (spec §4.2).
        var observed = new ObservedEnd(SocketClass.FinWait2Orphaned, Side.Client);
        var life = ModelForecaster.Fresh(observed, Linux(100));
        Assert.InRange(life.ReapedAfter!.Value.TotalSeconds, 80, 80.1 + (2 * WheelSlack));
    }

    [Fact]
    public void LoweringTcpFinTimeoutUnderAKeepaliveStageOrphanResetsThePeer()
    {
        // X = 100 s, 30 s left on the keepalive timer. At firing tcp_keepalive_timer reads tcp_fin_time again:
        // with 10 s there is nothing left beyond 60 s, so it sends a RST (net/ipv4/tcp_timer.c:tcp_keepalive_timer).
        var observed = new ObservedEnd(SocketClass.FinWait2Orphaned, Side.Client, TimerKind.Keepalive, TimeSpan.FromSeconds(30));
        var before = ModelForecaster.Existing(observed, Linux(100));
        var after = ModelForecaster.Existing(observed, Linux(100), Set("net.ipv4.tcp_fin_timeout", "10"));
        Assert.InRange(before.ReapedAfter!.Value.TotalSeconds, 69.9, 70.1 + (2 * WheelSlack));
        Assert.Equal(PeerSees.Nothing, before.PeerSees);
        Assert.InRange(after.ReapedAfter!.Value.TotalSeconds, 29.9, 30.1 + WheelSlack);
        Assert.Equal(PeerSees.Rst, after.PeerSees);
    }

    [Fact]
    public void AHalfClosedFinWait2HasNoTimerEvenWithANegativeLinger2()
    {
        var observed = new ObservedEnd(SocketClass.FinWait2HalfClosed, Side.Client);
        var change = new SettingChange { SocketOptions = [new(SocketOption.TcpLinger2, -1)], Sysctls = [new("net.ipv4.tcp_fin_timeout", "5")] };
        Assert.True(ModelForecaster.Existing(observed, Linux(), change).Never);
    }

    [Fact]
    public void ANegativeLinger2TurnsTheNextClosesIntoResets()
    {
        var observed = new ObservedEnd(SocketClass.FinWait2Orphaned, Side.Client);
        var after = ModelForecaster.Fresh(observed, Linux(), new SettingChange { SocketOptions = [new(SocketOption.TcpLinger2, -1)] });
        Assert.Equal(PeerSees.Rst, after.PeerSees);
        Assert.True(after.ReapedAfter < TimeSpan.FromSeconds(1));
        // The ACK of our FIN meets linger2 < 0: tcp_done, counted as TCPAbortOnData, and the segment is answered with a RST.
        Assert.Equal(Causes.Linger2AtAck, after.EndedBy);
        Assert.Equal(1, after.Counters.GetValueOrDefault(Mib.TCPAbortOnData));
        Assert.Equal(1, after.Counters.GetValueOrDefault(Mib.OutRsts));
    }

    [Fact]
    public void OrphanRetriesAreReadWhenTheTimerFires()
    {
        // Three retransmissions done; with tcp_orphan_retries=0 (8 while alive) the rest take ~100 s; with 4, one more.
        var observed = new ObservedEnd(SocketClass.FinWait1Orphaned, Side.Client, TimerKind.Retransmit, Retransmits: 3);
        var before = ModelForecaster.Existing(observed, Linux());
        var after = ModelForecaster.Existing(observed, Linux(), Set("net.ipv4.tcp_orphan_retries", "4"));
        Assert.True(before.ReapedAfter > TimeSpan.FromSeconds(60), $"before: {before.ReapedAfter}");
        Assert.True(after.ReapedAfter < before.ReapedAfter, $"after: {after.ReapedAfter}");
        Assert.Equal(PeerSees.Nothing, after.PeerSees);
        Assert.Equal(Causes.RetransmitGiveUp, after.EndedBy);
    }

    [Fact]
    public void AClosingOrphanRetransmitsItsFinUntilOrphanRetries()
    {
        var observed = new ObservedEnd(SocketClass.ClosingOrphaned, Side.Client);
        var fresh = ModelForecaster.Fresh(observed, Linux());
        Assert.Contains(TcpState.Closing, fresh.States);
        Assert.Equal(Causes.RetransmitGiveUp, fresh.EndedBy);
        var fewer = ModelForecaster.Fresh(observed, Linux(), Set("net.ipv4.tcp_orphan_retries", "2"));
        Assert.True(fewer.ReapedAfter < fresh.ReapedAfter);
    }

    [Fact]
    public void TimeWaitIsSixtySecondsWhateverTcpFinTimeout()
    {
        var observed = new ObservedEnd(SocketClass.TimeWait, Side.Client);
        var before = ModelForecaster.Fresh(observed, Linux());
        var after = ModelForecaster.Fresh(observed, Linux(), Set("net.ipv4.tcp_fin_timeout", "10"));
        Assert.InRange(before.ReapedAfter!.Value.TotalSeconds, 60, 60.2 + WheelSlack);
        Assert.Equal(before.ReapedAfter, after.ReapedAfter);
    }

    [Fact]
    public void KeepaliveEndsACloseWaitOnceThePeersOrphanIsGone()
    {
        // The peer's FIN_WAIT2 orphan is freed after 60 s; our first probe after keepalive_time meets a RST.
        var observed = new ObservedEnd(SocketClass.CloseWaitUnreadEof, Side.Server);
        var change = new SettingChange { SocketOptions = [new(SocketOption.SoKeepalive, 1), new(SocketOption.TcpKeepIdle, 120)] };
        var after = ModelForecaster.Existing(observed, Linux(), change);
        Assert.False(after.Never);
        Assert.InRange(after.ReapedAfter!.Value.TotalSeconds, 100, 200);
        Assert.Equal(Causes.ResetReceived, after.EndedBy);
        Assert.True(after.DescriptorHeld, "the application still holds the dead socket until it calls close()");
    }
}
