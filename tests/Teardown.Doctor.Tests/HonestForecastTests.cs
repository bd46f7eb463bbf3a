using Teardown.Doctor.Classification;
using Teardown.Doctor.Report;
using Teardown.Doctor.Watch;
using Teardown.Linux.Owners;
using Teardown.Doctor.Tests.Support;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

/// <summary>Forecasts that do not extrapolate what the kernel bounds, and leave the watcher out.</summary>
public sealed class HonestForecastTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // A client opening and closing 10 connections a second: each leaves a TIME_WAIT (reaped after 60 s).
    private static Trend ShortLivedClients(int rangeSize, int held = 0)
    {
        var history = new WatchHistory();
        for (int i = 0; i <= 10; i++)
        {
            int reaped = 10 * i;
            history.Add(new WatchSample(T0.AddSeconds(i), new Dictionary<SocketClass, int>(), [],
                [new PortUsage("10.0.0.5:443", reaped + held, reaped, rangeSize, Reaped: reaped)], TimeSpan.FromSeconds(60)));
        }

        return history.Trends().Single(t => t.Name.Contains("10.0.0.5:443", StringComparison.Ordinal));
    }

    [Fact]
    public void Ports_held_only_by_TIME_WAIT_level_off_instead_of_growing_to_the_limit()
    {
        // Linear growth (600/min) would reach 1,000 ports in under 2 minutes; the kernel keeps only
        // 10/s × 60 s = 600 of them at a time, so the range is never exhausted.
        var trend = ShortLivedClients(rangeSize: 1000);
        Assert.True(trend.PerMinute > 500);
        Assert.Null(trend.TimeToLimit);
    }

    [Fact]
    public void Ports_exhaust_when_the_steady_level_of_reaped_ones_alone_fills_the_range()
    {
        // 600 at steady state do not fit in 500 ports: exhausted as soon as the next 400 arrive (40 s).
        var trend = ShortLivedClients(rangeSize: 500);
        Assert.InRange(trend.TimeToLimit!.Value.TotalSeconds, 39, 41);
    }

    [Fact]
    public void The_watcher_leaves_its_own_descriptors_out_of_the_forecasts()
    {
        var input = Records.Input([Listen(8080)], new Dictionary<ulong, SocketOwner>(), [Process(100, "api", 50, 1024), Process(Environment.ProcessId, "teardown", 30, 1024)]);
        var report = Teardown.Doctor.Analysis.DoctorAnalysis.Analyze(input);
        var sample = WatchHistory.SampleOf(report, input, excludePid: Environment.ProcessId);
        Assert.Contains(sample.Processes, p => p.Pid == 100);
        Assert.DoesNotContain(sample.Processes, p => p.Pid == Environment.ProcessId);
    }
}
