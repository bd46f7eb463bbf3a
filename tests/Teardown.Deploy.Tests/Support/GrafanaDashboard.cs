using System.Text.Json.Nodes;

namespace Teardown.Deploy.Tests.Support;

/// <summary>deploy/grafana/teardown-dashboard.json, read as plain JSON.</summary>
internal static class GrafanaDashboard
{
    /// <summary>The dashboard's root object.</summary>
    internal static JsonObject Load() =>
        JsonNode.Parse(File.ReadAllText(RulesRepo.DashboardFile))?.AsObject()
        ?? throw new InvalidOperationException("the dashboard is JSON null");

    /// <summary>Every panel, rows' nested panels included.</summary>
    internal static IReadOnlyList<JsonObject> Panels(JsonObject dashboard)
    {
        var all = new List<JsonObject>();
        void Walk(JsonArray? panels)
        {
            foreach (var p in panels ?? [])
            {
                var panel = p!.AsObject();
                all.Add(panel);
                Walk(panel["panels"] as JsonArray);
            }
        }
        Walk(dashboard["panels"] as JsonArray);
        return all;
    }

    /// <summary>The panels that show data (not rows).</summary>
    internal static IReadOnlyList<JsonObject> DataPanels(JsonObject dashboard) =>
        Panels(dashboard).Where(p => (string?)p["type"] != "row").ToArray();

    /// <summary>The PromQL of a panel's targets.</summary>
    internal static IReadOnlyList<string> Expressions(JsonObject panel) =>
        (panel["targets"] as JsonArray ?? []).Select(t => (string?)t?["expr"] ?? "").ToArray();

    /// <summary>The queries of the templating variables of type query.</summary>
    internal static IReadOnlyList<(string Name, string Query)> VariableQueries(JsonObject dashboard) =>
        (dashboard["templating"]?["list"] as JsonArray ?? [])
            .Select(v => v!.AsObject())
            .Where(v => (string?)v["type"] == "query")
            .Select(v => ((string?)v["name"] ?? "", v["query"] is JsonObject q ? (string?)q["query"] ?? "" : (string?)v["query"] ?? ""))
            .ToArray();

    /// <summary>
    /// A panel expression with Grafana's variables replaced by what they stand for, so that promtool
    /// can parse it: multi-value selections by a regex, intervals by a duration.
    /// </summary>
    internal static string Substitute(string expr) => expr
        .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
        .Replace("$__interval", "1m", StringComparison.Ordinal)
        .Replace("$__range", "1h", StringComparison.Ordinal)
        .Replace("$instance", ".*", StringComparison.Ordinal)
        .Replace("$command", ".*", StringComparison.Ordinal);
}
