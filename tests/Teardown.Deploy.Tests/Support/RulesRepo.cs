namespace Teardown.Deploy.Tests.Support;

/// <summary>Paths of the repository the deploy files live in.</summary>
internal static class RulesRepo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Teardown.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException(
            $"no Teardown.slnx above {AppContext.BaseDirectory}: the tests must run from a build inside the repository");
    });

    /// <summary>The folder holding Teardown.slnx.</summary>
    internal static string Root => RootPath.Value;

    /// <summary>deploy/prometheus.</summary>
    internal static string PrometheusDir => Path.Combine(Root, "deploy", "prometheus");

    /// <summary>The rules file, deploy/prometheus/teardown-rules.yml.</summary>
    internal static string RulesFile => Path.Combine(PrometheusDir, "teardown-rules.yml");

    /// <summary>The promtool unit test files, deploy/prometheus/tests/*.yml, in name order.</summary>
    internal static IReadOnlyList<string> UnitTestFiles =>
        Directory.GetFiles(Path.Combine(PrometheusDir, "tests"), "*.yml").Order(StringComparer.Ordinal).ToArray();

    /// <summary>The Grafana dashboard.</summary>
    internal static string DashboardFile => Path.Combine(Root, "deploy", "grafana", "teardown-dashboard.json");

    /// <summary>The metric contract, docs/metrics.md.</summary>
    internal static string MetricsDoc => Path.Combine(Root, "docs", "metrics.md");

    /// <summary>A path relative to the root, with forward slashes (for messages and promtool arguments).</summary>
    internal static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}
