using Teardown.Lab.Running;
using Teardown.Lab.Wire;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>The kernel's jiffies as the lab reads them, against /proc/timer_list itself.</summary>
public sealed class LiveJiffyClockTests(ITestOutputHelper output)
{
    [Fact]
    public void TheJiffyClockAgreesWithTheKernelsJiffiesAndAlignsZeroAsTheModelAssumes()
    {
        if (!LiveKernel.Available(output)) return;
        JiffyClock clock = JiffyClock.Current ?? throw new InvalidOperationException("/proc/timer_list gave no jiffies");
        Assert.Contains(clock.Hz, new[] { 100, 250, 300, 1000 });

        var read = Linux.Time.TimerListSnapshot.Parse(File.ReadAllText("/proc/timer_list"))!.Value;
        Assert.InRange(read.Jiffies - clock.JiffyAt(read.NowNs), 0, 1);   // jiffies is printed just after "now"

        long notBefore = MonotonicClock.NowNs();
        (long zero, long jiffy) = clock.AlignedZero(notBefore, 512);
        Assert.Equal(0, jiffy % 512);
        Assert.True(zero >= notBefore);
        Assert.Equal(clock.PeriodNs - 500_000, zero - clock.StartOf(jiffy));
        output.WriteLine($"HZ {clock.Hz}, jiffy {jiffy} starts {clock.StartOf(jiffy)} ns, zero {(zero - notBefore) / 1e6:F1} ms ahead");
    }
}
