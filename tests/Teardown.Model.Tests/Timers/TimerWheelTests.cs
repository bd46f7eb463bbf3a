using Teardown.Model.Kernel;
using Teardown.Model.Network;
using Teardown.Model.Rules;
using Teardown.Model.Simulation;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>
/// The model runs its timers on Linux's timer wheel (kernel/time/timer.c): at the tick of the first multiple of
/// the timer's level granularity after its expiry, and the timers of one tick last-queued first.
/// </summary>
public sealed class TimerWheelTests
{
    private const int Hz = 250;

    [Theory]
    [InlineData(0, 10, 11)]        // level 0: the tick after the expiry
    [InlineData(0, 62, 63)]
    [InlineData(0, 63, 64)]        // level 1 (Δ ≥ 63): the next multiple of 8
    [InlineData(256, 250, 512)]    // a 1 s RTO armed at a bucket boundary: 256 jiffies = 1.024 s later
    [InlineData(0, 500, 504)]      // Δ 500 < 504: still level 1
    [InlineData(0, 504, 512)]      // level 2: the next multiple of 64
    [InlineData(1000, 15000, 16384)] // TIME_WAIT's 60 s, level 3: the next multiple of 512
    public void ATimerRunsAtTheFirstMultipleOfItsLevelsGranularityAfterItsExpiry(long clk, long delay, long runsAt)
    {
        Assert.Equal(runsAt, TimerWheel.Bucket(clk + delay, clk).BucketExpiry);
    }

    [Fact]
    public void TheModelsTicksFallHalfAMillisecondAfterEachMultipleOfTheJiffy()
    {
        Assert.Equal(0, TimerWheel.JiffyAt(SimTime.Zero, Hz));
        Assert.Equal(0, TimerWheel.JiffyAt(new SimTime(499), Hz));
        Assert.Equal(1, TimerWheel.JiffyAt(new SimTime(500), Hz));
        Assert.Equal(new SimTime(500), TimerWheel.TickAt(1, Hz));
        Assert.Equal(new SimTime(1_020_500), TimerWheel.TickAt(256, Hz));
    }

    [Fact]
    public void BackedOffSynRetransmissions_RunOnTheirLevelsBuckets()
    {
        var t = Fixtures.SynSent(local: k => k.TcpSynRetries = 6);
        t.RunSeconds(40);

        var syns = t.Trace.Segments.Where(s => s.From == t.Local && s.Segment.Flags == TcpFlags.Syn).Select(s => s.At).ToList();
        var gaps = syns.Zip(syns.Skip(1), (x, y) => (y - x).Seconds).ToList();
        Assert.True(gaps.Count >= 7, $"{syns.Count} SYNs");

        // The first retransmission runs at a level-1 bucket, a multiple of 8 jiffies. The next four keep a 1 s RTO
        // (tcp_syn_linear_timeouts = 4): 250 jiffies to the next multiple of 8, 256 jiffies = 1.024 s each, as
        // seen on 6.18 (fuzz seed 30000149). Then a 2 s RTO (500 jiffies, still level 1) ends at the next multiple
        // of 8, 504 jiffies = 2.016 s, and a 4 s RTO (1000 jiffies, level 2) at the next multiple of 64.
        Assert.Equal(new[] { 1.024, 1.024, 1.024, 1.024, 2.016 }, gaps.Skip(1).Take(5).Select(g => Math.Round(g, 6)));
        Assert.InRange(gaps[6], 4.004, 4.256);
    }

    [Fact]
    public void TimersOfOneTick_RunLastQueuedFirst()
    {
        // Two orphans of one host, closed 1 ms apart within one jiffy, retransmit their FINs from timers with one
        // expiry. The wheel queues each at its bucket's head (timer.c:enqueue_timer) and runs a bucket from the head
        // (expire_timers), so the socket closed second retransmits first (seen on 6.18, fuzz seed 30000190).
        var recorder = new Recorder();
        var sim = new Simulator(new DeterministicRandom(1), recorder);
        var a = sim.AddHost("a", ClientAddr);
        var b = sim.AddHost("b", ServerAddr);
        int listener = (int)b.Listen(80).Value;
        int first = Connected(sim, a, b, listener);
        int second = Connected(sim, a, b, listener);
        ushort firstPort = a.SocketOf(first)!.Tuple.LocalPort;
        ushort secondPort = a.SocketOf(second)!.Tuple.LocalPort;
        sim.Network.SetDropping(ClientAddr, ServerAddr, true);

        sim.RunUntil(TimerWheel.TickAt(TimerWheel.JiffyAt(sim.Now, Hz) + 1, Hz) + SimDuration.FromMilliseconds(1));
        a.Close(first);
        sim.RunUntil(sim.Now + SimDuration.FromMilliseconds(1));
        a.Close(second);
        sim.RunUntil(sim.Now + SimDuration.FromSeconds(2));

        var retransmissions = recorder.Segments
            .Where(w => w.From == a && w.Segment.Fin)
            .GroupBy(w => w.Segment.SrcPort)
            .ToDictionary(g => g.Key, g => g.Skip(1).First());
        Assert.Equal(retransmissions[firstPort].At, retransmissions[secondPort].At);
        Assert.True(
            recorder.Segments.IndexOf(retransmissions[secondPort]) < recorder.Segments.IndexOf(retransmissions[firstPort]),
            "the socket closed second retransmits first");
    }

    private const uint ClientAddr = 0xC0000201;
    private const uint ServerAddr = 0xC0000202;

    private static int Connected(Simulator sim, Host a, Host b, int listener)
    {
        var connect = a.Connect(ServerAddr, 80, out int fd);
        sim.RunUntil(sim.Now + SimDuration.FromMilliseconds(10));
        Assert.True(connect.Completed && !connect.Result.Failed, $"connect: {connect.Result}");
        Assert.False(b.Accept(listener).Failed);
        return fd;
    }
}
