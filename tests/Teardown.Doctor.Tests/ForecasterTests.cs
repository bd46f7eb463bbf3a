using Teardown.Doctor.Classification;
using Teardown.Doctor.Report;
using Teardown.Doctor.Watch;

namespace Teardown.Doctor.Tests;

public class ForecasterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Slope_IsPerMinute_AndTimeToLimitFollows()
    {
        var points = Enumerable.Range(0, 5).Select(i => (T0.AddSeconds(30 * i), 100.0 + (10 * i))).ToList();
        Assert.Equal(20, Forecaster.SlopePerMinute(points), 6);
        Assert.Equal(TimeSpan.FromMinutes(45), Forecaster.TimeToLimit(100, 20, 1000));
        Assert.Null(Forecaster.TimeToLimit(100, 0, 1000));
        Assert.Null(Forecaster.TimeToLimit(100, -3, 1000));
    }

    [Fact]
    public void History_ForecastsDescriptorAndPortExhaustion_AndDropsOldSamples()
    {
        var history = new WatchHistory(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 10; i++)
        {
            history.Add(new WatchSample(T0.AddSeconds(20 * i),
                new Dictionary<SocketClass, int> { [SocketClass.CloseWaitUnreadEof] = 10 * i },
                [new ProcessFds(42, "api", 500 + (10 * i), 1024)],
                [new PortUsage("10.0.0.5:6379", 1000 + (100 * i), 900, 28232)]));
        }

        Assert.True(history.Samples[^1].At - history.Samples[0].At <= TimeSpan.FromMinutes(2));
        var trends = history.Trends();
        var cw = trends.Single(t => t.Name == "close-wait-unread-eof");
        Assert.Equal(30, cw.PerMinute, 6);
        var fds = trends.Single(t => t.Name.Contains("pid 42", StringComparison.Ordinal));
        Assert.Equal(30, fds.PerMinute, 6);
        Assert.Equal((1024 - 590) / 30.0, fds.TimeToLimit!.Value.TotalMinutes, 6);
        var ports = trends.Single(t => t.Name.Contains("6379", StringComparison.Ordinal));
        Assert.Equal(300, ports.PerMinute, 6);
    }
}
