using Teardown.Server.Snapshots;
using Teardown.Server.Tests.Support;

namespace Teardown.Server.Tests;

public sealed class SnapshotLoopTests
{
    [Fact]
    public void A_failed_snapshot_keeps_the_last_good_one_served_and_says_so()
    {
        var source = new ScriptedSource(Hosts.Leak(4));
        var loop = new SnapshotLoop(source, TimeSpan.FromSeconds(15), 20, "1");
        loop.TakeOnce();
        var good = loop.Current.Snapshot;
        Assert.True(loop.Current.Status.Ready);

        source.Failure = new IOException("netlink went away");
        loop.TakeOnce();
        var state = loop.Current;
        Assert.Same(good, state.Snapshot);
        Assert.False(state.Status.Ready);
        Assert.Equal((2L, 1L), (state.Status.Attempts, state.Status.Failures));
        Assert.Contains("netlink went away", state.Status.LastError, StringComparison.Ordinal);
        string text = Exposition.Text(state.Metrics.Text);
        Assert.Equal(0, Exposition.Value(text, "teardown_snapshot_ok"));
        Assert.Equal(1, Exposition.Value(text, "teardown_snapshots_total{result=\"failed\"}"));
        Assert.Equal(4, Exposition.Value(text, "teardown_sockets_by_state{state=\"close_wait\"}")); // still the last good counts

        source.Failure = null;
        loop.TakeOnce();
        Assert.True(loop.Current.Status.Ready);
        Assert.Equal(1, Exposition.Value(Exposition.Text(loop.Current.Metrics.Text), "teardown_snapshot_ok"));
    }

    [Fact]
    public void Before_the_first_snapshot_only_the_servers_own_metrics_are_published()
    {
        var loop = new SnapshotLoop(new ScriptedSource(Hosts.Leak(1)), TimeSpan.FromSeconds(15), 20, "1");
        string text = Exposition.Text(loop.Current.Metrics.Text);
        Assert.Equal(0, Exposition.Value(text, "teardown_snapshot_ok"));
        Assert.Empty(Exposition.Samples(text, "teardown_sockets_by_state"));
        Assert.Null(loop.Current.Snapshot);
    }

    [Fact]
    public void History_is_bounded_whatever_the_number_of_snapshots()
    {
        var history = new SnapshotHistory(capacity: 10);
        for (int i = 0; i < 1000; i++)
        {
            history.Add(new HistoryPoint(DateTimeOffset.UnixEpoch.AddSeconds(i), [.. new int[16]], System.Collections.Immutable.ImmutableDictionary<Teardown.Doctor.Classification.SocketClass, int>.Empty));
        }

        var points = history.Points();
        Assert.Equal(10, points.Count);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(990), points[0].At);
    }

    [Fact]
    public async Task The_loop_reads_the_host_once_per_interval()
    {
        var source = new ScriptedSource(Hosts.Leak(1));
        var loop = new SnapshotLoop(source, TimeSpan.FromMilliseconds(200), 20, "1");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(1100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.RunAsync(stop.Token));
        // At once, then every 200 ms for 1.1 s: 6, give or take a tick of a loaded machine.
        Assert.InRange(source.Reads, 4, 7);
        Assert.Equal(source.Reads, loop.History.Points().Count);
    }
}
