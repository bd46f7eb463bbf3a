using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Doctor.Tests.Support;
using Teardown.Linux.Interop;
using Teardown.Linux.Inventory;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Tests;

/// <summary>
/// `doctor --json` against its published schema (docs/schema/doctor-report.schema.json): real reports
/// validate, and the schema is strict enough that a new field or a changed type fails here first.
/// </summary>
public class ReportSchemaTests
{
    private static DoctorReport DemoReport() => DoctorAnalysis.Analyze(
        CaptureJson.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo-6.18.capture.json"))));

    private static DoctorReport DumpReport(string file)
    {
        var records = new List<SocketRecord>();
        InetDiagParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernel-6.18", file)), null, records);
        return DoctorAnalysis.Analyze(Records.Input(records));
    }

    [Fact]
    public void DemoCapture_ReportMatchesTheSchema() => ReportSchema.AssertValid(ReportSchema.Write(DemoReport()));

    [Theory]
    [InlineData("inet_diag_v4.bin")]
    [InlineData("inet_diag_v6.bin")]
    public void CapturedDump_ReportMatchesTheSchema(string file) => ReportSchema.AssertValid(ReportSchema.Write(DumpReport(file)));

    [Fact]
    public void EveryStateClassAndBlindSpotId_IsInTheSchema()
    {
        // Counts in every state and class, and one blind spot of each kind with an errno: the enums the fixtures may not reach.
        var report = DemoReport() with
        {
            StateCounts = [.. Enumerable.Range(0, 16).Select(s => s is > 0 and <= (int)TcpState.BoundInactive ? 1 : 0)],
            ClassCounts = ClassNames.All.ToImmutableDictionary(c => c, _ => 1),
            BlindSpots = [.. Enum.GetValues<BlindSpotKind>().Select(k => new BlindSpot(k, "detail", new LinuxError(Errno.EPERM, "setns")))],
        };
        string json = ReportSchema.Write(report);
        ReportSchema.AssertValid(json);
        using var doc = JsonDocument.Parse(json);
        var byState = doc.RootElement.GetProperty("namespaces")[0].GetProperty("summary").GetProperty("byState");
        Assert.Equal(1, byState.GetProperty("CLOSE_WAIT").GetInt32());
        Assert.Equal(1, byState.GetProperty("FIN_WAIT2").GetInt32());
    }

    [Fact]
    public void EveryBlindSpotKind_HasItsOwnId() =>
        Assert.Equal(Enum.GetValues<BlindSpotKind>().Length, Enum.GetValues<BlindSpotKind>().Select(k => k.Id()).Distinct().Count());

    [Fact]
    public void ReportKeys_AreLinuxStateNamesAndFigureIds()
    {
        using var doc = JsonDocument.Parse(ReportSchema.Write(DemoReport()));
        var ns = doc.RootElement.GetProperty("namespaces")[0];
        Assert.True(ns.GetProperty("summary").GetProperty("byState").TryGetProperty("CLOSE_WAIT", out _));
        var server = ns.GetProperty("findings").EnumerateArray()
            .First(f => f.GetProperty("kind").GetString() == "close-wait-unread-eof" && f.GetProperty("service").GetString() == "local :8080");
        Assert.All(server.GetProperty("examples").EnumerateArray(), e => Assert.Equal("CLOSE_WAIT", e.GetProperty("state").GetString()));
        var ids = server.GetProperty("figures").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        Assert.Contains(FigureIds.OldestQuietS, ids);
        Assert.Contains(FigureIds.FdExhaustionMin, ids);
    }

    [SkippableTheory]
    [InlineData(SocketSourcePreference.SockDiag)]
    [InlineData(SocketSourcePreference.ProcNetTcp)]
    public void LiveHost_ReportMatchesTheSchema(SocketSourcePreference source)
    {
        Require.RootOrSkip();
        var snapshot = InventoryReader.Take(new InventoryOptions { Source = source });
        ReportSchema.AssertValid(ReportSchema.Write(DoctorAnalysis.Analyze(DoctorInput.From(snapshot))));
    }

    [Fact]
    public void AFieldTheSchemaDoesNotName_FailsValidation()
    {
        var json = JsonNode.Parse(ReportSchema.Write(DemoReport()))!;
        json["namespaces"]![0]!["findings"]![0]!["newField"] = 1;
        Assert.Contains(ReportSchema.Violations(json.ToJsonString()), v => v.Contains("/namespaces/0/findings/0", StringComparison.Ordinal));
    }

    [Fact]
    public void AChangedType_FailsValidation()
    {
        var json = JsonNode.Parse(ReportSchema.Write(DemoReport()))!;
        json["namespaces"]![0]!["findings"]![0]!["count"] = "150";
        Assert.NotEmpty(ReportSchema.Violations(json.ToJsonString()));
    }

    [Fact]
    public void AnUnknownFigureIdOrState_FailsValidation()
    {
        var json = JsonNode.Parse(ReportSchema.Write(DemoReport()))!;
        var finding = json["namespaces"]![0]!["findings"]![0]!;
        finding["figures"]![0]!["id"] = "sockets in the group";
        Assert.NotEmpty(ReportSchema.Violations(json.ToJsonString()));
        json = JsonNode.Parse(ReportSchema.Write(DemoReport()))!;
        json["namespaces"]![0]!["summary"]!["byState"]!["CloseWait"] = 3;
        Assert.NotEmpty(ReportSchema.Violations(json.ToJsonString()));
    }

    [Fact]
    public void FigureIds_AreExactlyTheSchemasFigureIds()
    {
        var code = typeof(FigureIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(ReportSchema.Path));
        var schema = doc.RootElement.GetProperty("$defs").GetProperty("figureId").GetProperty("oneOf").EnumerateArray()
            .Select(e => e.GetProperty("const").GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(code, schema);
    }

    [Fact]
    public void EveryPropertyInTheSchema_IsDescribed()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ReportSchema.Path));
        var undescribed = new List<string>();
        Walk(doc.RootElement, "#");
        Assert.True(undescribed.Count == 0, "no description: " + string.Join(", ", undescribed));

        void Walk(JsonElement node, string path)
        {
            if (node.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var item in node.EnumerateArray()) Walk(item, $"{path}/{i++}");
                return;
            }

            if (node.ValueKind != JsonValueKind.Object) return;
            foreach (var p in node.EnumerateObject())
            {
                if (p.Name is "properties" or "patternProperties" or "$defs")
                {
                    foreach (var prop in p.Value.EnumerateObject())
                    {
                        if (!prop.Value.TryGetProperty("description", out _)) undescribed.Add($"{path}/{p.Name}/{prop.Name}");
                    }
                }

                Walk(p.Value, $"{path}/{p.Name}");
            }
        }
    }
}
