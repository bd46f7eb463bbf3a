using Teardown.Lab.Running;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Tests;

/// <summary>A run's precision note says how often the lab's own runtime stopped its threads while the timeline played.</summary>
public sealed class RuntimePauseMeterTests
{
    [Fact]
    public void ACollectionDuringTheInterval_IsCountedWithItsPause()
    {
        var meter = RuntimePauseMeter.Start();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        RuntimePauses p = meter.Stop();

        Assert.True(p.Count >= 1, $"counted {p.Count}");
        Assert.True(p.Paused > TimeSpan.Zero, $"paused {p.Paused}");
    }

    [Fact]
    public void ThePrecisionNote_NamesCollections_OnlyWhenThereWereSome()
    {
        var quiet = new LabPrecision(DelayStats.Of([100, 200]), DelayStats.Of([5]), PrecisionBounds.Default, null);
        var paused = quiet with { Collections = new RuntimePauses(2, TimeSpan.FromMicroseconds(1500)) };

        Assert.DoesNotContain("garbage", quiet.ToString(), StringComparison.Ordinal);
        Assert.Contains("2 garbage collections in the lab's process, 1.50 ms suspended", paused.ToString(), StringComparison.Ordinal);
    }
}
