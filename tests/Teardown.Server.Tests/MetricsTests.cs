using System.Text.RegularExpressions;
using Teardown.Server.Metrics;
using Teardown.Server.Snapshots;
using Teardown.Server.Tests.Support;

namespace Teardown.Server.Tests;

public sealed partial class MetricsTests
{
    private static string Scrape(int closeWait, bool openMetrics = false)
    {
        var loop = new SnapshotLoop(new ScriptedSource(Hosts.Leak(closeWait)), TimeSpan.FromSeconds(15), top: 20, version: "9.9.9");
        loop.TakeOnce();
        var m = loop.Current.Metrics;
        return Exposition.Text(openMetrics ? m.OpenMetrics : m.Text);
    }

    [Fact]
    public void A_leak_shows_in_states_classes_owners_ages_and_findings()
    {
        string text = Scrape(closeWait: 25);
        Assert.Equal(25, Exposition.Value(text, "teardown_sockets_by_state{state=\"close_wait\"}"));
        Assert.Equal(0, Exposition.Value(text, "teardown_sockets_by_state{state=\"fin_wait2\"}"));
        Assert.Equal(25, Exposition.Value(text, "teardown_sockets{state=\"close_wait\",class=\"close-wait-unread-eof\",side=\"server\",service=\":8080\",command=\"leaky\"}"));
        Assert.Equal(25, Exposition.Value(text, $"teardown_owner_stuck_sockets{{pid=\"{Hosts.LeakyPid}\",command=\"leaky\",container=\"\",pod=\"\"}}"));
        Assert.Equal(1024, Exposition.Value(text, $"teardown_owner_fd_limit{{pid=\"{Hosts.LeakyPid}\",command=\"leaky\",container=\"\",pod=\"\"}}"));
        Assert.Equal(45, Exposition.Value(text, $"teardown_owner_open_fds{{pid=\"{Hosts.LeakyPid}\",command=\"leaky\",container=\"\",pod=\"\"}}"));
        Assert.Equal(25, Exposition.Value(text, "teardown_socket_age_seconds_count{state=\"close_wait\"}"));
        Assert.Equal(0, Exposition.Value(text, "teardown_socket_age_seconds_bucket{state=\"close_wait\",le=\"300\"}"));
        Assert.Equal(25, Exposition.Value(text, "teardown_socket_age_seconds_bucket{state=\"close_wait\",le=\"900\"}"));
        Assert.Equal(624, Exposition.Value(text, "teardown_socket_oldest_age_seconds{state=\"close_wait\",class=\"close-wait-unread-eof\"}"));
        Assert.Equal(3, Exposition.Value(text, "teardown_ephemeral_ports_time_wait{destination=\"10.0.0.9:6379\"}"));
        Assert.Equal(0, Exposition.Value(text, "teardown_ephemeral_ports_held{destination=\"10.0.0.9:6379\"}"));
        Assert.Equal(7, Exposition.Value(text, "teardown_tcp_aborts_total{netns=\"4026531840\",reason=\"data\"}"));
        Assert.Equal(2, Exposition.Value(text, "teardown_tcp_aborts_total{netns=\"4026531840\",reason=\"timeout\"}"));
        Assert.Equal(65536, Exposition.Value(text, "teardown_tcp_max_orphans{netns=\"4026531840\"}"));
        Assert.Contains(Exposition.Samples(text, "teardown_findings"), l => l.Contains("class=\"close-wait-unread-eof\"", StringComparison.Ordinal));
        Assert.Equal(1, Exposition.Value(text, "teardown_snapshot_info{socket_source=\"sock_diag\",owner_method=\"bpf\"}"));
        Assert.Equal(1, Exposition.Value(text, "teardown_build_info{version=\"9.9.9\"}"));
        Assert.Equal(1, Exposition.Value(text, "teardown_snapshot_ok"));
        Assert.Equal(2, Exposition.Value(text, "teardown_actions_total{action=\"release\",outcome=\"released\"}"));
        Assert.Equal(1, Exposition.Value(text, "teardown_actions_total{action=\"release\",outcome=\"skipped\"}"));
        Assert.Equal(0, Exposition.Value(text, "teardown_actions_total{action=\"release\",outcome=\"refused\"}"));
        Assert.Equal(1, Exposition.Value(text, "teardown_actions_total{action=\"kill\",outcome=\"killed\"}"));
        Assert.Equal(2, Exposition.Value(text, $"teardown_held_after_action_fds{{pid=\"{Hosts.LeakyPid}\",command=\"leaky\"}}"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Released_and_killed_counters_follow_the_ledger_incrementally_and_never_go_down_when_it_is_replaced()
    {
        string dir = Directory.CreateTempSubdirectory("teardown-serve-ledger-").FullName;
        try
        {
            string ledger = Path.Combine(dir, "actions.jsonl");
            var source = new LedgerSource(ledger, Path.Combine(dir, "proc"));
            var loop = new SnapshotLoop(source, TimeSpan.FromSeconds(15), 20, "1");
            double Released() => Exposition.Value(Exposition.Text(loop.Current.Metrics.Text), "teardown_actions_total{action=\"release\",outcome=\"released\"}");
            double Killed() => Exposition.Value(Exposition.Text(loop.Current.Metrics.Text), "teardown_actions_total{action=\"kill\",outcome=\"killed\"}");

            loop.TakeOnce();
            Assert.Equal((0, 0), (Released(), Killed())); // no ledger yet: every pair at 0
            Teardown.Linux.Ledger.ActionLedger.Append(ledger, [Hosts.Acted(1, Teardown.Linux.Ledger.LedgerAction.Release, Teardown.Linux.Ledger.LedgerOutcome.Released),
                Hosts.Acted(2, Teardown.Linux.Ledger.LedgerAction.Release, Teardown.Linux.Ledger.LedgerOutcome.Released)]);
            loop.TakeOnce();
            loop.TakeOnce(); // nothing new: the same lines are not counted twice
            Assert.Equal(2, Released());
            // Rotated away and started again with one kill: added, never subtracted.
            File.Move(ledger, ledger + ".1");
            Teardown.Linux.Ledger.ActionLedger.Append(ledger, [Hosts.Acted(3, Teardown.Linux.Ledger.LedgerAction.Kill, Teardown.Linux.Ledger.LedgerOutcome.Killed, owned: false)]);
            loop.TakeOnce();
            Assert.Equal((2, 1), (Released(), Killed()));
            // The page's status carries the same totals.
            string status = System.Text.Encoding.UTF8.GetString(Teardown.Server.Api.ApiJson.Status(loop.Current.Status, loop.Interval, "1", DateTimeOffset.UtcNow, loop.Current.Snapshot!.Actions));
            Assert.Contains("\"actions\":{\"release\":{\"released\":2,\"killed\":0,\"skipped\":0,\"refused\":0},\"kill\":{\"released\":0,\"killed\":1,", status, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The leak, with the action ledger read by one follower for the loop's life, as <c>serve</c> does (procfs: an empty directory, so nothing is held).</summary>
    private sealed class LedgerSource(string ledger, string procRoot) : ISnapshotSource
    {
        private readonly Teardown.Linux.Ledger.LedgerFollower _follower = new(ledger);

        public IReadOnlyList<Teardown.Linux.Inventory.HostSnapshot> Take() =>
            Teardown.Linux.Inventory.NamespaceSnapshots.WithLedger([Hosts.Leak(1) with { ActionTotals = null, HeldAfterAction = [] }], _follower, procRoot);
    }

    [Fact]
    public void Every_family_documented_is_published_and_every_published_one_is_documented()
    {
        var documented = DocumentedFamilies();
        Assert.Equal(documented.Order(StringComparer.Ordinal), MetricNames.All.Order(StringComparer.Ordinal));
        // A snapshot with a leak publishes every family (counters appear under their name without _total in TYPE lines).
        var published = Exposition.Families(Scrape(closeWait: 3)).Where(f => f.StartsWith("teardown_", StringComparison.Ordinal)).ToHashSet();
        foreach (string family in MetricNames.All)
        {
            Assert.True(published.Contains(family) || published.Contains(family.Replace("_total", "", StringComparison.Ordinal)), $"{family} is not published");
        }
    }

    [Fact]
    public void Names_follow_the_conventions_counters_total_units_in_base_units()
    {
        Assert.All(MetricNames.All, n => Assert.Matches("^teardown_[a-z0-9_]+$", n));
        Assert.All(MetricNames.All.Where(n => n.Contains("seconds", StringComparison.Ordinal)), n => Assert.EndsWith("seconds", n.Replace("_total", "", StringComparison.Ordinal)));
        Assert.DoesNotContain(MetricNames.All, n => n.Contains("millis", StringComparison.Ordinal) || n.Contains("_ms", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenMetrics_is_served_when_asked_and_ends_with_eof()
    {
        string text = Scrape(closeWait: 1, openMetrics: true);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE teardown_tcp_aborts counter", text, StringComparison.Ordinal);
        Assert.True(MetricsExposition.WantsOpenMetrics("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        Assert.False(MetricsExposition.WantsOpenMetrics("text/plain;version=0.0.4"));
        Assert.False(MetricsExposition.WantsOpenMetrics("application/openmetrics-text;q=0"));
        Assert.False(MetricsExposition.WantsOpenMetrics(null));
    }

    [Fact]
    public void Series_of_sockets_that_are_gone_disappear_at_the_next_snapshot()
    {
        var source = new ScriptedSource(Hosts.Leak(5));
        var loop = new SnapshotLoop(source, TimeSpan.FromSeconds(15), 20, "1");
        loop.TakeOnce();
        Assert.NotEmpty(Exposition.Samples(Exposition.Text(loop.Current.Metrics.Text), "teardown_owner_stuck_sockets"));
        source.Next = Hosts.Leak(0) with { Processes = new Dictionary<int, Teardown.Linux.Proc.ProcessInfo>() };
        loop.TakeOnce();
        string text = Exposition.Text(loop.Current.Metrics.Text);
        Assert.Empty(Exposition.Samples(text, "teardown_owner_stuck_sockets"));
        Assert.DoesNotContain("close-wait-unread-eof", string.Join('\n', Exposition.Samples(text, "teardown_sockets")), StringComparison.Ordinal);
    }

    internal static List<string> DocumentedFamilies()
    {
        string doc = File.ReadAllText(Path.Combine(Browser.RepoPaths.Root, "docs", "metrics.md"));
        return [.. DocumentedRow().Matches(doc).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"^\| `(teardown_[a-z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedRow();
}
