using System.Text.Json;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Report;

/// <summary>
/// The stable machine format (schema "teardown.doctor/2", described field by field in
/// docs/schema/doctor-report.schema.json), written by hand with <see cref="Utf8JsonWriter"/>: fixed field
/// order, no reflection (fast start-up). Keys and enum values are ids, never prose: states as Linux names
/// them (<c>CLOSE_WAIT</c>), classes and blind spots as kebab-case ids, figures by <see cref="FigureIds"/>.
/// Within one schema id fields are only ever added, and only with their schema entry.
/// </summary>
public static class ReportJson
{
    /// <summary>The schema id.</summary>
    public const string Schema = "teardown.doctor/2";

    /// <summary>Writes a whole run: every namespace's report and the exit code.</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<DoctorReport> reports, int exitCode, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(reports);
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteNumber("exitCode", exitCode);
        w.WriteNumber("elapsedMs", Math.Round(elapsed.TotalMilliseconds, 1));
        w.WritePropertyName("namespaces");
        w.WriteStartArray();
        foreach (var r in reports)
        {
            WriteReport(w, r);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes one namespace's report.</summary>
    public static void WriteReport(Utf8JsonWriter w, DoctorReport r)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        w.WriteStartObject();
        w.WriteString("takenAt", r.TakenAt);
        w.WriteNumber("netns", r.NetNsInode);
        w.WriteString("source", r.Source.Id());
        w.WriteBoolean("healthy", !r.HasFindings);
        w.WriteBoolean("partial", r.IsPartial);
        w.WritePropertyName("filter");
        w.WriteStartObject();
        if (r.Filter.Pid is int pid) w.WriteNumber("pid", pid); else w.WriteNull("pid");
        if (r.Filter.Port is int port) w.WriteNumber("port", port); else w.WriteNull("port");
        w.WriteEndObject();

        w.WritePropertyName("findings");
        w.WriteStartArray();
        foreach (var f in r.Findings)
        {
            WriteFinding(w, f);
        }

        w.WriteEndArray();

        w.WritePropertyName("heldAfterAction");
        w.WriteStartArray();
        foreach (var h in r.HeldAfterAction)
        {
            WriteHeld(w, h);
        }

        w.WriteEndArray();

        w.WritePropertyName("summary");
        w.WriteStartObject();
        w.WriteNumber("total", r.Total);
        w.WritePropertyName("byState");
        w.WriteStartObject();
        for (int s = 0; s < r.StateCounts.Length; s++)
        {
            if (r.StateCounts[s] > 0) w.WriteNumber(((TcpState)s).ToLinuxName(), r.StateCounts[s]);
        }

        w.WriteEndObject();
        w.WritePropertyName("byClass");
        w.WriteStartObject();
        foreach (var c in ClassNames.All)
        {
            if (r.ClassCounts.TryGetValue(c, out int n)) w.WriteNumber(c.Id(), n);
        }

        w.WriteEndObject();
        w.WriteEndObject();

        w.WritePropertyName("portUsage");
        w.WriteStartArray();
        foreach (var p in r.PortUsage)
        {
            w.WriteStartObject();
            w.WriteString("destination", p.Destination);
            w.WriteNumber("inUse", p.InUse);
            w.WriteNumber("timeWait", p.TimeWait);
            w.WriteNumber("rangeSize", p.RangeSize);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("cost");
        w.WriteStartObject();
        w.WriteNumber("socketsMs", Math.Round(r.Cost.Sockets.TotalMilliseconds, 1));
        w.WriteNumber("ownersMs", Math.Round(r.Cost.Owners.TotalMilliseconds, 1));
        w.WriteNumber("fdsScanned", r.Cost.FdsScanned);
        w.WriteNumber("processesScanned", r.Cost.ProcessesScanned);
        if (r.Cost.OwnersMethod is { } method) w.WriteString("ownersMethod", method);
        w.WriteEndObject();
        w.WritePropertyName("blindSpots");
        w.WriteStartArray();
        foreach (var b in r.BlindSpots)
        {
            w.WriteStartObject();
            w.WriteString("kind", b.Kind.Id());
            w.WriteString("detail", b.Detail);
            if (b.Error is { } e)
            {
                w.WriteString("error", e.ToString());
                w.WriteString("errno", e.Errno.ToString());
            }
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteHeld(Utf8JsonWriter w, HeldAfterActionFinding h)
    {
        w.WriteStartObject();
        w.WriteString("kind", HeldAfterActionFinding.Kind);
        w.WriteString("severity", h.Severity.Id());
        w.WriteString("title", h.Title);
        w.WriteNumber("count", h.Count);
        w.WriteNumber("released", h.Released);
        w.WriteNumber("killed", h.Killed);
        WriteOwner(w, h.Owner);
        w.WritePropertyName("fds");
        w.WriteStartArray();
        foreach (int fd in h.Fds) w.WriteNumberValue(fd);
        w.WriteEndArray();
        w.WriteString("mechanism", h.Mechanism);
        w.WritePropertyName("fix");
        w.WriteStartArray();
        foreach (var line in h.Fix) w.WriteStringValue(line);
        w.WriteEndArray();
        w.WritePropertyName("sockets");
        w.WriteStartArray();
        foreach (var s in h.Sockets)
        {
            w.WriteStartObject();
            w.WriteNumber("fd", s.Fd);
            w.WriteNumber("inode", s.Inode);
            w.WriteString("local", s.Local);
            w.WriteString("remote", s.Remote);
            w.WriteString("class", s.Class);
            w.WriteString("action", Teardown.Linux.Ledger.LedgerActionNames.Id(s.Action));
            w.WriteString("at", s.At);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOwner(Utf8JsonWriter w, OwnerSummary o)
    {
        w.WritePropertyName("owner");
        w.WriteStartObject();
        w.WriteNumber("pid", o.Pid);
        w.WriteString("comm", o.Comm);
        w.WriteString("executable", o.Executable);
        w.WriteString("cgroup", o.CgroupPath);
        w.WriteNumber("fds", o.FdCount);
        if (o.FdLimit is long l) w.WriteNumber("fdLimit", l); else w.WriteNull("fdLimit");
        w.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter w, Finding f)
    {
        w.WriteStartObject();
        w.WriteString("kind", f.Class.Id());
        w.WriteString("severity", f.Severity.Id());
        w.WriteString("side", f.Side.Id());
        w.WriteString("title", f.Title);
        w.WriteNumber("count", f.Count);
        w.WriteString("service", f.Service);
        if (f.Owner is { } o)
        {
            WriteOwner(w, o);
        }
        else
        {
            w.WriteNull("owner");
        }

        w.WriteString("fault", f.Fault);
        w.WriteString("mechanism", f.Mechanism);
        w.WritePropertyName("fix");
        w.WriteStartArray();
        foreach (var line in f.Fix) w.WriteStringValue(line);
        w.WriteEndArray();
        if (f.Remediation is string command) w.WriteString("remediation", command); else w.WriteNull("remediation");
        w.WritePropertyName("reap");
        w.WriteStartObject();
        w.WriteBoolean("never", f.Reap.Never);
        if (f.Reap.Latest is TimeSpan latest) w.WriteNumber("latestSeconds", Math.Round(latest.TotalSeconds, 3)); else w.WriteNull("latestSeconds");
        if (f.Reap.Earliest is TimeSpan earliest) w.WriteNumber("earliestSeconds", Math.Round(earliest.TotalSeconds, 3)); else w.WriteNull("earliestSeconds");
        w.WriteString("source", f.Reap.Source.Id());
        w.WriteString("explanation", f.Reap.Explanation);
        w.WriteEndObject();
        w.WritePropertyName("figures");
        w.WriteStartArray();
        foreach (var fig in f.Figures)
        {
            w.WriteStartObject();
            w.WriteString("id", fig.Id);
            w.WriteString("name", fig.Name);
            w.WriteNumber("value", fig.Value);
            w.WriteString("unit", fig.Unit);
            w.WriteString("source", fig.SourceId);
            w.WriteString("origin", fig.Origin);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("pairedOnHost", f.PairedOnHost);
        if (f.PeerClass is { } pc) w.WriteString("peerClass", pc.Id()); else w.WriteNull("peerClass");
        if (f.PeerPid is int pp) w.WriteNumber("peerPid", pp); else w.WriteNull("peerPid");
        w.WritePropertyName("examples");
        w.WriteStartArray();
        foreach (var e in f.Examples)
        {
            w.WriteStartObject();
            w.WriteString("local", e.Local);
            w.WriteString("remote", e.Remote);
            w.WriteString("state", e.KernelState.ToLinuxName());
            w.WriteNumber("recvQ", e.RecvQ);
            w.WriteNumber("sendQ", e.SendQ);
            w.WriteNumber("inode", e.Inode);
            if (e.Fd is int fd) w.WriteNumber("fd", fd); else w.WriteNull("fd");
            if (e.QuietMs is uint q) w.WriteNumber("quietMs", q); else w.WriteNull("quietMs");
            if (e.Timer is string timer) w.WriteString("timer", timer); else w.WriteNull("timer");
            w.WriteNumber("timerMs", e.TimerMs);
            w.WriteNumber("retrans", e.Retrans);
            if (e.Peer is { } peer) w.WriteString("peer", peer.Id()); else w.WriteNull("peer");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
