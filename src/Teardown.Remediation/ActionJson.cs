using System.Text.Json;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;

namespace Teardown.Remediation;

/// <summary>
/// <c>release --json</c> / <c>kill --json</c> (schema <c>teardown.actions/1</c>): the plan, and after
/// <c>--apply</c> every socket's outcome and the totals.
/// </summary>
public static class ActionJson
{
    /// <summary>The schema id written as <c>"schema"</c>.</summary>
    public const string Schema = "teardown.actions/1";

    /// <summary>Writes one document.</summary>
    public static void Write(Utf8JsonWriter w, ActionKind action, IReadOnlyList<NamespacePlan> plans, RunSummary? run, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(plans);
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteString("action", action.Id());
        w.WriteBoolean("applied", run is not null);
        w.WriteNumber("exitCode", exitCode);
        w.WriteStartArray("plan");
        foreach (var plan in plans)
        {
            foreach (var a in plan.Plan.Actions)
            {
                w.WriteStartObject();
                WriteSocket(w, a.Socket, a.Class, plan.NetNsInode);
                if (a.Command is not null) w.WriteString("command", a.Command);
                w.WriteString("onTheWire", a.OnTheWire);
                if (a.ApplicationSees is not null) w.WriteString("applicationSees", a.ApplicationSees);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteStartArray("notPlanned");
        foreach (var plan in plans)
        {
            foreach (var n in plan.Plan.Refused)
            {
                w.WriteStartObject();
                WriteSocket(w, n.Socket, n.Class, plan.NetNsInode);
                w.WriteString("reason", n.Reason);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteNumber("beyondLimit", plans.Sum(p => p.Plan.BeyondLimit));
        w.WriteNumber("younger", plans.Sum(p => p.Plan.Younger));
        if (run is not null)
        {
            w.WriteStartArray("results");
            foreach (var r in run.Results)
            {
                w.WriteStartObject();
                WriteSocket(w, r.Planned.Socket, r.Planned.Class, r.NetNsInode);
                w.WriteString("outcome", r.Kind.ToString().ToLowerInvariant());
                w.WriteString("detail", r.Detail);
                if (r.Errno != Errno.None) w.WriteString("errno", r.Errno.ToString());
                w.WriteString("at", r.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("totals");
            w.WriteNumber("planned", run.Planned);
            w.WriteNumber("released", run.Totals.Released);
            w.WriteNumber("killed", run.Totals.Killed);
            w.WriteNumber("skipped", run.Totals.Skipped);
            w.WriteNumber("refused", run.Totals.Refused);
            w.WriteNumber("notReached", run.NotReached);
            w.WriteEndObject();
            w.WriteBoolean("interrupted", run.Interrupted);
            w.WriteNumber("elapsedMs", Math.Round(run.Elapsed.TotalMilliseconds, 1));
            w.WriteStartObject("audit");
            w.WriteString("destinations", run.AuditDestinations);
            w.WriteStartArray("problems");
            foreach (var p in run.AuditProblems) w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteSocket(Utf8JsonWriter w, in SocketIdentity s, SocketClass c, ulong netns)
    {
        w.WriteString("state", s.State.ToLinuxName());
        w.WriteString("class", c.Id());
        w.WriteString("local", s.Local.ToString());
        w.WriteString("remote", s.Remote.ToString());
        w.WriteString("cookie", s.Cookie.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("inode", s.Inode);
        w.WriteNumber("netns", netns);
        if (s.Pid is int pid) w.WriteNumber("pid", pid);
        if (s.Fd is int fd) w.WriteNumber("fd", fd);
    }
}
