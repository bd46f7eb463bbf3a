using Teardown.Model.Kernel;
using Teardown.Model.Rules;
using Teardown.Model.Simulation;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>
/// The timer wheel's lateness (kernel/time/timer.c:calc_wheel_index, calc_index) and how the model carries it
/// along chains of causes, so that a comparison with the kernel knows how late a kernel timer may be armed.
/// </summary>
public sealed class TimerLatenessTests
{
    [Theory]
    [InlineData(0.000, 0.008)]   // level 0: one jiffy of granularity, one of rounding
    [InlineData(0.200, 0.008)]   // 50 jiffies < 63: level 0
    [InlineData(0.252, 0.036)]   // 63 jiffies: level 1, 8 jiffies
    [InlineData(1.000, 0.036)]
    [InlineData(2.016, 0.260)]   // 504 jiffies: level 2, 64 jiffies
    [InlineData(16.128, 2.052)]  // 4032 jiffies: level 3, 512 jiffies
    [InlineData(60.0, 2.052)]
    [InlineData(129.024, 16.388)] // 32256 jiffies: level 4
    public void MaxLateness_IsTheGranularityOfTheLevelPlusAJiffy_AtHz250(double delaySeconds, double expectedSeconds)
    {
        Assert.Equal(SimDuration.FromSeconds(expectedSeconds), TimerWheel.MaxLateness(SimDuration.FromSeconds(delaySeconds), 250));
    }

    [Fact]
    public void MaxLateness_AtHz1000_UsesMillisecondJiffies()
    {
        Assert.Equal(SimDuration.FromMilliseconds(9), TimerWheel.MaxLateness(SimDuration.FromMilliseconds(100), 1000));
    }

    [Fact]
    public void AnOrphanFinWait2_HandedToTimewaitByTheKeepaliveTimer_CarriesThatTimersLateness()
    {
        // tcp_fin_timeout 90: 30 s on the keepalive timer (level 3 at HZ=250: up to 2.052 s late), then a
        // 30 s timewait socket armed from that timer (tcp_timer.c:tcp_keepalive_timer → tcp_time_wait).
        var t = Fixtures.FinWait2Orphan(local: k => k.TcpFinTimeout = 90);
        Assert.Equal(SimDuration.Zero, t.View.ExpiresLateness);

        t.RunSeconds(31);

        Assert.Equal(TcpState.FinWait2, t.View.State);
        Assert.Equal(TimerKind.Timewait, t.View.Timer);
        Assert.Equal(SimDuration.FromSeconds(2.052), t.View.ExpiresLateness);
    }

    [Fact]
    public void RetransmissionsAccumulateTheLatenessOfEveryTimerBefore()
    {
        var t = Fixtures.FinWait1(orphan: true);
        SimDuration before = t.View.ExpiresLateness;

        t.RunSeconds(3);

        Assert.Equal(TimerKind.Retransmit, t.View.Timer);
        Assert.True(t.View.ExpiresLateness > before + SimDuration.FromMilliseconds(50), $"lateness {t.View.ExpiresLateness} after several backoffs");
    }

    [Fact]
    public void AnRttTheKernelMeasuresLonger_WidensEveryBackedOffRto()
    {
        SimDuration Lateness(SimDuration rttExcess)
        {
            var sim = new Simulator(new DeterministicRandom(1)) { RttExcessBound = rttExcess };
            Host client = sim.AddHost("client", Addr.Parse("10.0.0.1"));
            Host server = sim.AddHost("server", Addr.Parse("10.0.0.2"));
            server.Listen(80);
            client.Connect(server.Address, 80, out int fd);
            sim.RunUntil(new SimTime(10_000));
            FourTuple tuple = client.TupleOf(fd)!.Value;
            sim.Network.SetDropping(client.Address, server.Address, true);
            client.Close(fd);
            sim.RunUntil(new SimTime(3_000_000));
            Assert.Equal(TimerKind.Retransmit, client.Inspect(tuple).Timer);
            return client.Inspect(tuple).ExpiresLateness;
        }

        // After the TLP and RTOs of 0.2, 0.4, 0.8 s (backoffs 0..2), 8 ms of RTT excess adds 8·(1+2+4) ms at least.
        Assert.True(Lateness(SimDuration.FromMilliseconds(8)) - Lateness(SimDuration.Zero) >= SimDuration.FromMilliseconds(56));
    }

    [Fact]
    public void ACallOnTheTimelineRunsAtAnExactTime()
    {
        var t = Fixtures.Established();
        t.RunSeconds(2);

        Assert.Equal(SimDuration.Zero, t.Sim.Lateness);
    }
}
