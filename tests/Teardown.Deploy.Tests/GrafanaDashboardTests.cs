using System.Text.Json;
using System.Text.Json.Nodes;
using Teardown.Deploy.Tests.Support;

namespace Teardown.Deploy.Tests;

/// <summary>
/// deploy/grafana/teardown-dashboard.json: valid JSON Grafana imports, every panel queries the
/// Prometheus picked by the DS_PROMETHEUS variable, and every metric is one docs/metrics.md promises
/// or a recording rule of deploy/prometheus/teardown-rules.yml.
/// </summary>
public sealed class GrafanaDashboardTests
{
    private const string DataSource = "${DS_PROMETHEUS}";

    [Fact]
    public void The_dashboard_is_valid_json_of_a_recent_schema()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RulesRepo.DashboardFile));
        var dashboard = GrafanaDashboard.Load();
        Assert.True((int?)dashboard["schemaVersion"] >= 39, "schemaVersion below 39");
        Assert.False(string.IsNullOrWhiteSpace((string?)dashboard["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)dashboard["uid"]));
        Assert.Null(dashboard["id"]); // an id would clash with the importing Grafana's own
    }

    [Fact]
    public void Panel_ids_are_unique()
    {
        var ids = GrafanaDashboard.Panels(GrafanaDashboard.Load()).Select(p => (int?)p["id"]).ToArray();
        Assert.DoesNotContain(null, ids);
        var duplicates = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(duplicates.Length == 0, "duplicate panel ids: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void Every_panel_has_a_target_with_an_expression()
    {
        var panels = GrafanaDashboard.DataPanels(GrafanaDashboard.Load());
        Assert.True(panels.Count >= 8, $"only {panels.Count} panels");
        var empty = panels.Where(p => !GrafanaDashboard.Expressions(p).Any() || GrafanaDashboard.Expressions(p).Any(string.IsNullOrWhiteSpace))
            .Select(p => (string?)p["title"]).ToArray();
        Assert.True(empty.Length == 0, "panels without a query: " + string.Join(", ", empty));
        var refIds = panels.Where(p => (p["targets"] as JsonArray)!.Select(t => (string?)t!["refId"]).Distinct().Count() != (p["targets"] as JsonArray)!.Count)
            .Select(p => (string?)p["title"]).ToArray();
        Assert.True(refIds.Length == 0, "panels with duplicate refIds: " + string.Join(", ", refIds));
    }

    [Fact]
    public void Every_panel_and_target_queries_the_DS_PROMETHEUS_variable()
    {
        var dashboard = GrafanaDashboard.Load();
        var variables = (dashboard["templating"]?["list"] as JsonArray ?? []).Select(v => v!.AsObject()).ToArray();
        var ds = Assert.Single(variables, v => (string?)v["name"] == "DS_PROMETHEUS");
        Assert.Equal("datasource", (string?)ds["type"]);
        Assert.Equal("prometheus", (string?)ds["query"]);

        var problems = new List<string>();
        foreach (var panel in GrafanaDashboard.DataPanels(dashboard))
        {
            if ((string?)panel["datasource"]?["uid"] != DataSource) problems.Add($"{panel["title"]}: datasource is not {DataSource}");
            foreach (var t in panel["targets"] as JsonArray ?? [])
                if ((string?)t?["datasource"]?["uid"] != DataSource) problems.Add($"{panel["title"]} {t?["refId"]}: datasource is not {DataSource}");
        }
        foreach (var v in variables.Where(v => (string?)v["type"] == "query"))
            if ((string?)v["datasource"]?["uid"] != DataSource) problems.Add($"variable {v["name"]}: datasource is not {DataSource}");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_instance_and_command_variables_filter_the_panels()
    {
        var dashboard = GrafanaDashboard.Load();
        var names = GrafanaDashboard.VariableQueries(dashboard).Select(v => v.Name).ToArray();
        Assert.Contains("instance", names);
        Assert.Contains("command", names);
        var unfiltered = GrafanaDashboard.DataPanels(dashboard)
            .Where(p => GrafanaDashboard.Expressions(p).Any(e => !e.Contains("$instance", StringComparison.Ordinal)))
            .Select(p => (string?)p["title"]).ToArray();
        Assert.True(unfiltered.Length == 0, "queries that ignore $instance: " + string.Join(", ", unfiltered));
    }

    [Fact]
    public void Every_metric_the_dashboard_reads_is_in_the_contract_or_a_recording_rule()
    {
        var dashboard = GrafanaDashboard.Load();
        var contract = RulesMetricContract.Load();
        var recorded = RulesYaml.RecordingRuleNames();
        var queries = GrafanaDashboard.DataPanels(dashboard)
            .SelectMany(p => GrafanaDashboard.Expressions(p).Select(e => ((string?)p["title"] ?? "", e)))
            .Concat(GrafanaDashboard.VariableQueries(dashboard).Select(v => ("variable " + v.Name, v.Query)))
            .ToArray();
        var problems = queries.SelectMany(q => RulesMetricContract.Problems(q.Item2, contract, recorded).Select(p => $"{q.Item1}: {p}")).ToArray();
        Assert.True(problems.Length == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_dashboard_shows_what_the_brief_asks_for()
    {
        // Sockets by state and class, ages, owners' descriptors against the limit, ports per
        // destination, aborts by reason, findings by severity, the snapshot's cost.
        var read = GrafanaDashboard.DataPanels(GrafanaDashboard.Load())
            .SelectMany(GrafanaDashboard.Expressions)
            .SelectMany(RulesMetricContract.MetricNames)
            .ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "teardown_sockets_by_state", "teardown_sockets", "teardown_socket_age_seconds_bucket", "teardown_socket_oldest_age_seconds",
            "teardown:owner_fd_usage:ratio", "teardown_owner_open_fds", "teardown_owner_fd_limit",
            "teardown:ephemeral_ports_in_use:ratio", "teardown_tcp_aborts_total", "teardown_findings",
            "teardown_snapshot_duration_seconds", "teardown_snapshot_cpu_seconds",
        ];
        var missing = expected.Where(e => !read.Contains(e)).ToArray();
        Assert.True(missing.Length == 0, "not on the dashboard: " + string.Join(", ", missing));
    }

    [Fact]
    public void Panels_do_not_overlap_and_fit_the_24_column_grid()
    {
        var boxes = GrafanaDashboard.Panels(GrafanaDashboard.Load())
            .Select(p => (Title: (string?)p["title"], X: (int)p["gridPos"]!["x"]!, Y: (int)p["gridPos"]!["y"]!, W: (int)p["gridPos"]!["w"]!, H: (int)p["gridPos"]!["h"]!))
            .ToArray();
        var problems = new List<string>();
        foreach (var b in boxes)
            if (b.X < 0 || b.W <= 0 || b.H <= 0 || b.X + b.W > 24) problems.Add($"{b.Title}: outside the grid");
        for (var i = 0; i < boxes.Length; i++)
        {
            for (var j = i + 1; j < boxes.Length; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                if (a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H) problems.Add($"{a.Title} overlaps {b.Title}");
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [SkippableFact]
    public void Every_dashboard_query_is_PromQL_that_promtool_parses()
    {
        // promtool parses expressions only inside a rules file: one recording rule per query.
        var tool = RulesPromtool.RequireOrSkip();
        var dashboard = GrafanaDashboard.Load();
        var exprs = GrafanaDashboard.DataPanels(dashboard).SelectMany(GrafanaDashboard.Expressions).Select(GrafanaDashboard.Substitute).ToArray();
        var rules = new System.Text.StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < exprs.Length; i++)
            rules.Append("      - record: dashboard:query_").Append(i).Append(":check\n        expr: ").Append(JsonSerializer.Serialize(exprs[i])).Append('\n');
        var file = Path.Combine(Path.GetTempPath(), $"teardown-dashboard-queries-{Environment.ProcessId}.yml");
        File.WriteAllText(file, rules.ToString());
        try
        {
            var result = RulesPromtool.Run(tool, ["check", "rules", file]);
            Assert.True(result.ExitCode == 0, result.Describe("promtool check rules (the dashboard's queries)") + "\n" + rules);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
