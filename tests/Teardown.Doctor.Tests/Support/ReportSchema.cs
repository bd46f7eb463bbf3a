using System.Text;
using System.Text.Json;
using Json.Schema;
using Teardown.Doctor.Report;

namespace Teardown.Doctor.Tests.Support;

/// <summary>docs/schema/doctor-report.schema.json (linked into the output) and the report's own writer.</summary>
internal static class ReportSchema
{
    internal static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Schema", "doctor-report.schema.json");

    // One registry of our own: the shared default would refuse the same $id registered twice.
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    internal static string Write(params DoctorReport[] reports)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) ReportJson.Write(w, reports, 1, TimeSpan.FromMilliseconds(12.5));
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Every schema violation in <paramref name="json"/>, as "instance path: message"; empty when valid.</summary>
    internal static List<string> Violations(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        return new[] { result }.Concat(result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}) {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid, without details")
            .ToList();
    }

    internal static void AssertValid(string json)
    {
        var violations = Violations(json);
        Assert.True(violations.Count == 0, "the report does not match docs/schema/doctor-report.schema.json:\n" + string.Join('\n', violations));
    }
}
