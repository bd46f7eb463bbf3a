using System.Text.RegularExpressions;
using Teardown.Deploy.Tests.Support;

namespace Teardown.Deploy.Tests;

/// <summary>
/// deploy/prometheus/teardown-rules.yml: promtool accepts it and its unit tests pass, every alert is
/// tested firing and quiet and explains itself, and every metric it reads is in docs/metrics.md.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    [SkippableFact]
    public void Promtool_accepts_the_rules_file()
    {
        var tool = RulesPromtool.RequireOrSkip();
        string[] args = ["check", "rules", RulesRepo.Relative(RulesRepo.RulesFile)];
        var result = RulesPromtool.Run(tool, args);
        Assert.True(result.ExitCode == 0, result.Describe("promtool " + string.Join(' ', args)));
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Promtool_unit_tests_of_the_rules_pass()
    {
        var tool = RulesPromtool.RequireOrSkip();
        var files = RulesRepo.UnitTestFiles;
        Assert.NotEmpty(files);
        string[] args = ["test", "rules", .. files.Select(RulesRepo.Relative)];
        var result = RulesPromtool.Run(tool, args);
        Assert.True(result.ExitCode == 0, result.Describe("promtool " + string.Join(' ', args)));
        Assert.DoesNotContain("FAILED", result.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Promtool_unit_tests_pass_from_the_rules_folder_too()
    {
        // rule_files are resolved relative to each test file, so the working directory must not matter.
        var tool = RulesPromtool.RequireOrSkip();
        string[] args = ["test", "rules", .. RulesRepo.UnitTestFiles.Select(f => Path.GetRelativePath(RulesRepo.PrometheusDir, f))];
        var result = RulesPromtool.Run(tool, args, RulesRepo.PrometheusDir);
        Assert.True(result.ExitCode == 0, result.Describe("(cd deploy/prometheus && promtool " + string.Join(' ', args) + ")"));
    }

    [Fact]
    public void Every_unit_test_file_loads_the_rules_file_by_a_path_relative_to_itself()
    {
        foreach (var file in RulesRepo.UnitTestFiles)
        {
            var model = RulesYaml.ReadUnitTests(file);
            Assert.True(model.RuleFiles.Count > 0, $"{RulesRepo.Relative(file)}: no rule_files");
            foreach (var ruleFile in model.RuleFiles)
            {
                Assert.False(Path.IsPathRooted(ruleFile), $"{RulesRepo.Relative(file)}: rule file {ruleFile} is absolute");
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, ruleFile));
                Assert.Equal(RulesRepo.RulesFile, resolved);
            }
        }
    }

    [Fact]
    public void The_rules_file_has_alerts_and_recording_rules()
    {
        Assert.True(RulesYaml.Alerts().Count >= 6, "expected the alerts of the brief at least");
        Assert.NotEmpty(RulesYaml.RecordingRuleNames());
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_quiet_unit_test()
    {
        var tests = RulesRepo.UnitTestFiles
            .SelectMany(f => RulesYaml.ReadUnitTests(f).Tests)
            .SelectMany(g => g.AlertRuleTest)
            .ToArray();
        var problems = new List<string>();
        foreach (var alert in RulesYaml.Alerts())
        {
            var mine = tests.Where(t => t.Alertname == alert.Alert).ToArray();
            if (!mine.Any(t => t.ExpAlerts is { Count: > 0 })) problems.Add($"{alert.Alert}: no unit test where it fires (exp_alerts with an alert)");
            if (!mine.Any(t => t.ExpAlerts is null or { Count: 0 })) problems.Add($"{alert.Alert}: no unit test where it stays quiet (exp_alerts: [])");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_firing_unit_test_states_the_severity_summary_and_description()
    {
        var alerts = RulesYaml.Alerts().ToDictionary(a => a.Alert!, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var file in RulesRepo.UnitTestFiles)
        {
            foreach (var test in RulesYaml.ReadUnitTests(file).Tests.SelectMany(g => g.AlertRuleTest))
            {
                if (!alerts.TryGetValue(test.Alertname, out var alert))
                {
                    problems.Add($"{RulesRepo.Relative(file)}: tests {test.Alertname}, which the rules file does not define");
                    continue;
                }
                foreach (var expected in test.ExpAlerts ?? [])
                {
                    if (!expected.ExpLabels.TryGetValue("severity", out var severity) || severity != alert.Labels.GetValueOrDefault("severity"))
                        problems.Add($"{RulesRepo.Relative(file)}: {test.Alertname} at {test.EvalTime}: exp_labels.severity is not the rule's");
                    foreach (var key in new[] { "summary", "description" })
                    {
                        if (!expected.ExpAnnotations.ContainsKey(key))
                            problems.Add($"{RulesRepo.Relative(file)}: {test.Alertname} at {test.EvalTime}: exp_annotations.{key} missing");
                    }
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_and_a_description_naming_a_teardown_command()
    {
        var problems = new List<string>();
        foreach (var alert in RulesYaml.Alerts())
        {
            if (alert.Labels.GetValueOrDefault("severity") is not ("critical" or "warning" or "info"))
                problems.Add($"{alert.Alert}: labels.severity must be critical, warning or info");
            if (string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")))
                problems.Add($"{alert.Alert}: no annotations.summary");
            var description = alert.Annotations.GetValueOrDefault("description") ?? "";
            if (string.IsNullOrWhiteSpace(description)) problems.Add($"{alert.Alert}: no annotations.description");
            else if (!TeardownCommand().IsMatch(description)) problems.Add($"{alert.Alert}: the description names no teardown command (teardown doctor ...)");
            if (!alert.Annotations.ContainsKey("runbook")) problems.Add($"{alert.Alert}: no annotations.runbook");
            if (!alert.Alert!.StartsWith("Teardown", StringComparison.Ordinal)) problems.Add($"{alert.Alert}: alert names start with Teardown");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_alert_has_a_section_in_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(RulesRepo.PrometheusDir, "README.md"));
        var missing = RulesYaml.Alerts().Select(a => a.Alert!).Where(a => !readme.Contains("### " + a, StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, "deploy/prometheus/README.md has no section for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Recording_rules_are_named_level_metric_operations()
    {
        var bad = RulesYaml.RecordingRuleNames().Where(n => !RecordingName().IsMatch(n)).ToArray();
        Assert.True(bad.Length == 0, "not level:metric:operations: " + string.Join(", ", bad));
    }

    [Fact]
    public void Every_metric_the_rules_read_is_in_the_contract()
    {
        var contract = RulesMetricContract.Load();
        var recorded = RulesYaml.RecordingRuleNames();
        var problems = RulesYaml.Rules()
            .SelectMany(r => RulesMetricContract.Problems(r.Expr, contract, recorded).Select(p => $"{r.Alert ?? r.Record}: {p}"))
            .ToArray();
        Assert.True(problems.Length == 0, string.Join('\n', problems));
        // Not vacuous: the rules read metrics at all.
        Assert.Contains(RulesYaml.Rules().SelectMany(r => RulesMetricContract.MetricNames(r.Expr)), n => n == "teardown_sockets");
    }

    [Fact]
    public void The_close_wait_leak_alert_is_tested_pending_within_two_minutes_of_a_leak()
    {
        // The end-to-end test of teardown serve expects the alert pending soon after a leak starts:
        // the unit tests keep an ALERTS{alertstate="pending"} expectation at two minutes or less.
        var pending = RulesRepo.UnitTestFiles
            .SelectMany(f => RulesYaml.ReadUnitTests(f).Tests)
            .SelectMany(g => g.PromqlExprTest)
            .Where(t => t.Expr.Contains("TeardownCloseWaitLeak", StringComparison.Ordinal) && t.Expr.Contains("ALERTS", StringComparison.Ordinal))
            .ToArray();
        Assert.Contains(pending, t => t.EvalTime is "1m" or "2m" or "30s" or "60s" or "90s" or "120s");
    }

    // The checker itself: it must find what is wrong, or the contract test passes vacuously.

    [Fact]
    public void The_contract_parser_reads_every_table_of_docs_metrics()
    {
        var contract = RulesMetricContract.Load();
        Assert.True(contract.Count >= 30, $"only {contract.Count} metrics read from docs/metrics.md");
        Assert.Equal("histogram", contract["teardown_socket_age_seconds"]);
        Assert.Equal("counter", contract["teardown_tcp_aborts_total"]);
        Assert.Equal("gauge", contract["teardown_owner_fd_limit"]);
        Assert.All(contract.Keys, k => Assert.StartsWith("teardown_", k, StringComparison.Ordinal));
    }

    [Fact]
    public void The_metric_checker_catches_a_made_up_metric()
    {
        var problems = Check("rate(teardown_made_up_total[5m]) > 0 and on (instance) teardown_snapshot_ok == 1");
        var problem = Assert.Single(problems);
        Assert.StartsWith("teardown_made_up_total:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_metric_checker_catches_a_histogram_suffix_on_a_gauge_and_an_undefined_recording_rule()
    {
        var problems = Check("teardown_sockets_bucket + teardown:not_recorded:sum");
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("has no _bucket series", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no recording rule", StringComparison.Ordinal));
    }

    [Fact]
    public void The_metric_checker_accepts_histogram_series_recording_rules_and_skips_labels_functions_and_strings()
    {
        var problems = Check(
            """
            histogram_quantile(0.9, sum by (le, state) (teardown_socket_age_seconds_bucket{state="close_wait", class=~"made_up_label_value"}))
              / ignoring (destination) group_left (command) teardown_socket_age_seconds_count offset 15m
              + max without (pid) (predict_linear(teardown_owner_open_fds[1h:5m], 4 * 3600)) * 1e3
              > bool teardown:close_wait_sockets:sum  # a comment naming teardown_nothing
            """);
        Assert.Empty(problems);
    }

    [Fact]
    public void The_metric_checker_reads_grafana_variables_and_label_values_queries()
    {
        Assert.Equal(["teardown_sockets"], RulesMetricContract.MetricNames("label_values(teardown_sockets{instance=~\"$instance\"}, command)"));
        Assert.Empty(RulesMetricContract.MetricNames("label_values(instance)"));
        Assert.Equal(["teardown_tcp_aborts_total"],
            RulesMetricContract.MetricNames("sum by (reason) (rate(teardown_tcp_aborts_total{instance=~\"${instance:regex}\"}[$__rate_interval]))"));
    }

    private static IReadOnlyList<string> Check(string expr) =>
        RulesMetricContract.Problems(expr, RulesMetricContract.Load(), RulesYaml.RecordingRuleNames());

    [GeneratedRegex(@"\bteardown (doctor|watch|run|diff|demo)\b")]
    private static partial Regex TeardownCommand();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")]
    private static partial Regex RecordingName();
}
