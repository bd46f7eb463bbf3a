using System.Text.Encodings.Web;
using System.Text.Json;
using Teardown.Doctor.Export;
using Teardown.Doctor.Report;
using Teardown.Server.Metrics;
using Teardown.Server.Snapshots;

namespace Teardown.Server.Api;

/// <summary>The JSON documents of <c>/api/*</c> (the page reads them; docs/serve.md describes them).</summary>
public static class ApiJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>/api/report</c>: the doctor's JSON, the same schema as <c>doctor --json</c> (teardown.doctor/2).</summary>
    public static byte[] Report(IReadOnlyList<DoctorReport> reports, TimeSpan elapsed) =>
        Write(w => ReportJson.Write(w, reports, ReportVerdict.ExitCode(reports), elapsed));

    /// <summary><c>/api/owners</c>: the top owners by stuck sockets and by descriptors.</summary>
    public static byte[] Owners(ExportView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("owners");
            foreach (var o in view.Owners)
            {
                w.WriteStartObject();
                w.WriteNumber("pid", o.Pid);
                w.WriteString("command", o.Command);
                w.WriteString("container", o.Identity.Container);
                w.WriteString("pod", o.Identity.Pod);
                w.WriteNumber("openFds", o.OpenFds);
                if (o.FdLimit is long l) w.WriteNumber("fdLimit", l); else w.WriteNull("fdLimit");
                w.WriteNumber("stuckSockets", o.StuckSockets);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary><c>/api/history</c>: counts per state and class of every snapshot kept, oldest first.</summary>
    public static byte[] History(IReadOnlyList<HistoryPoint> points, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(points);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("schema", "teardown.history/1");
            w.WriteNumber("intervalSeconds", interval.TotalSeconds);
            w.WriteStartArray("samples");
            foreach (var p in points)
            {
                w.WriteStartObject();
                w.WriteString("at", p.At.UtcDateTime);
                w.WriteStartObject("states");
                for (int s = 1; s <= (int)TcpState.NewSynRecv; s++)
                {
                    w.WriteNumber(MetricsRenderer.StateLabel((TcpState)s), p.States[s]);
                }

                w.WriteEndObject();
                w.WriteStartObject("classes");
                foreach (var (c, n) in p.Classes.OrderBy(c => c.Key))
                {
                    w.WriteNumber(Teardown.Doctor.Classification.ClassNames.Id(c), n);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary><c>/api/status</c>: whether a fresh snapshot is being served.</summary>
    /// <param name="status">How the loop is doing.</param>
    /// <param name="interval">Between snapshots.</param>
    /// <param name="version">teardown's version.</param>
    /// <param name="now">The time of the answer.</param>
    /// <param name="actions">The action ledger's totals as of the snapshot served, or null when it was not read.</param>
    public static byte[] Status(SnapshotStatus status, TimeSpan interval, string version, DateTimeOffset now, Teardown.Linux.Ledger.LedgerTotals? actions = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ready", status.Ready);
            w.WriteString("version", version);
            w.WriteNumber("intervalSeconds", interval.TotalSeconds);
            w.WriteNumber("snapshots", status.Attempts);
            w.WriteNumber("failedSnapshots", status.Failures);
            if (status.LastSuccess is DateTimeOffset at) w.WriteString("lastSuccess", at.UtcDateTime); else w.WriteNull("lastSuccess");
            if (status.LastError is string e) w.WriteString("lastError", e); else w.WriteNull("lastError");
            // Stale: the last attempt failed, or no snapshot for three intervals (a stuck read).
            w.WriteBoolean("stale", !status.LastOk || status.LastSuccess is not DateTimeOffset last || now - last > 3 * interval);
            // Sockets release and kill acted on since boot (the action ledger), by action then outcome.
            if (actions is null)
            {
                w.WriteNull("actions");
            }
            else
            {
                w.WriteStartObject("actions");
                foreach (var group in Teardown.Linux.Ledger.LedgerTotals.Pairs.GroupBy(p => p.Action))
                {
                    w.WriteStartObject(Teardown.Linux.Ledger.LedgerActionNames.Id(group.Key));
                    foreach (var (action, outcome) in group) w.WriteNumber(outcome.ToString().ToLowerInvariant(), actions.Count(action, outcome));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            body(w);
        }

        return buffer.ToArray();
    }
}
