using System.Globalization;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;
using Teardown.Remediation;

namespace Teardown.Cli.Commands;

/// <summary>
/// The text of <c>release</c> and <c>kill</c>: one plain line per socket (tens of thousands must
/// print fast and stay greppable), what each class will see once, and the totals.
/// </summary>
internal static class ActionRenderer
{
    internal const string PlanHeader = "#      STATE        LOCAL                    PEER                     CLASS                       OWNER";
    internal const string ResultHeader = "#      OUTCOME   STATE        LOCAL                    PEER                     DETAIL";

    internal static void Plan(TextWriter o, ActionSettings settings, IReadOnlyList<NamespacePlan> plans, bool root)
    {
        string verb = settings.Action.Id();
        int count = plans.Sum(p => p.Plan.Actions.Length);
        int notPlanned = plans.Sum(p => p.Plan.Refused.Length);
        int beyond = plans.Sum(p => p.Plan.BeyondLimit);
        string selection = settings.SelectionText();
        o.WriteLine(settings.Apply
            ? $"teardown {verb}: nothing to do{(selection.Length > 0 ? $" for {selection}" : "")}."
            : $"teardown {verb} — dry run: nothing is changed without --apply.");
        o.WriteLine();
        if (count == 0)
        {
            o.WriteLine(notPlanned + beyond + plans.Sum(p => p.Plan.Younger) == 0
                ? $"No socket matches{(selection.Length > 0 ? $" {selection}" : "")}."
                : $"No socket to {verb}.");
        }
        else
        {
            o.WriteLine($"Plan: {verb} {Sockets(count)}{(plans.Count > 1 ? $" in {plans.Count(p => p.Plan.Actions.Length > 0)} network namespaces" : "")}{(selection.Length > 0 ? $" ({selection})" : "")}:");
            o.WriteLine();
            o.WriteLine(PlanHeader);
            int n = 0;
            foreach (var plan in plans)
            {
                foreach (var a in plan.Plan.Actions)
                {
                    var s = a.Socket;
                    o.WriteLine($"{Pad((++n).ToString(CultureInfo.InvariantCulture), 6)} {Pad(s.State.ToLinuxName(), 12)} {Pad(s.Local.ToString(), 24)} {Pad(s.Remote.ToString(), 24)} {Pad(a.Class.Id(), 27)} {a.Owner ?? "(no process: orphaned)"}");
                }
            }

            o.WriteLine();
            o.WriteLine("What each class will see:");
            foreach (var group in plans.SelectMany(p => p.Plan.Actions).GroupBy(a => a.Class))
            {
                var first = group.First();
                o.WriteLine($"  {group.Key.Id()} ({Sockets(group.Count())}): {Method(first.Action)}");
                o.WriteLine($"    the peer:        {first.OnTheWire}");
                if (group.FirstOrDefault(a => a.ApplicationSees is not null)?.ApplicationSees is string app) o.WriteLine($"    the application: {app}");
            }
        }

        if (notPlanned > 0)
        {
            o.WriteLine();
            o.WriteLine($"Not planned: {Sockets(notPlanned)} matched but {verb} does not apply to them:");
            foreach (var reason in plans.SelectMany(p => p.Plan.Refused).GroupBy(r => (r.Class, r.Reason)))
            {
                o.WriteLine($"  {reason.Count(),6} {reason.Key.Class.Id()}: {reason.Key.Reason}");
            }
        }

        if (beyond > 0)
        {
            o.WriteLine();
            o.WriteLine($"Left out by --limit: {Sockets(beyond)}.");
        }

        int younger = plans.Sum(p => p.Plan.Younger);
        if (younger > 0)
        {
            o.WriteLine();
            o.WriteLine(settings.OlderThan is null
                ? $"Left out: {Sockets(younger)} that received something in the last {DurationText.Format(ActionSettings.DefaultReleaseAge)} (a young CLOSE_WAIT may be a server still answering); --older-than 0s includes them."
                : $"Left out by --older-than {settings.OlderThan}: {Sockets(younger)} that received something more recently.");
        }

        if (count > 0 && !settings.Apply)
        {
            o.WriteLine();
            o.WriteLine($"Dry run: nothing was changed. To {verb} these {Sockets(count)}:");
            o.WriteLine($"  teardown {verb} {(selection.Length > 0 ? selection + " " : "")}--apply");
            if (!root) o.WriteLine($"  (as root: {(settings.Action == ActionKind.Kill ? "SOCK_DESTROY needs CAP_NET_ADMIN" : "taking another user's descriptor needs ptrace permission over its process")})");
        }
    }

    internal static void Applying(TextWriter o, ActionSettings settings, IReadOnlyList<NamespacePlan> plans)
    {
        int count = plans.Sum(p => p.Plan.Actions.Length);
        double rate = ActionSettings.ParseRate(settings.Rate) ?? RunOptions.DefaultRatePerSecond;
        o.WriteLine($"teardown {settings.Action.Id()}: {Sockets(count)}, at most {rate.ToString("0.###", CultureInfo.InvariantCulture)}/s{(count / rate >= 2 ? $" (about {DurationText.Format(TimeSpan.FromSeconds(count / rate))})" : "")}; each is looked up again just before acting. Ctrl-C stops between two sockets.");
        o.WriteLine();
    }

    internal static void Results(TextWriter o, ActionSettings settings, RunSummary run)
    {
        o.WriteLine(ResultHeader);
        int n = 0;
        foreach (var r in run.Results)
        {
            var s = r.Planned.Socket;
            string outcome = r.Kind.ToString().ToLowerInvariant() + (r.Errno != Errno.None && r.Kind == OutcomeKind.Refused ? " " + r.Errno : "");
            o.WriteLine($"{Pad((++n).ToString(CultureInfo.InvariantCulture), 6)} {Pad(outcome, 9)} {Pad(s.State.ToLinuxName(), 12)} {Pad(s.Local.ToString(), 24)} {Pad(s.Remote.ToString(), 24)} {r.Detail}");
        }

        var t = run.Totals;
        o.WriteLine();
        o.WriteLine($"{(run.Interrupted ? "Interrupted (Ctrl-C): " : "")}released {t.Released}, killed {t.Killed}, skipped {t.Skipped}, refused {t.Refused}" +
            $"{(run.NotReached > 0 ? $", not reached {run.NotReached}" : "")} of {run.Planned} in {Seconds(run.Elapsed)}.");

        // Released sockets leave the application holding descriptors only it can close.
        var held = run.Results.Where(r => r.Kind is OutcomeKind.Released || (r.Kind is OutcomeKind.Killed && r.Planned.Socket.Pid is not null))
            .GroupBy(r => (r.Planned.Socket.Pid!.Value, r.Planned.Command));
        foreach (var owner in held)
        {
            var fds = owner.Select(r => r.Planned.Socket.Fd!.Value).Order().ToList();
            string list = string.Join(", ", fds.Take(12)) + (fds.Count > 12 ? $", … ({fds.Count} in all)" : "");
            o.WriteLine($"{owner.Key.Command ?? "process"} (pid {owner.Key.Value}) still holds fd {list}: its reads return end of stream and writes fail (EPIPE or ECONNABORTED); " +
                "the descriptors count against its limit until the application closes them (fix its close path, or restart it).");
        }

        if (t.Refused > 0)
        {
            foreach (var why in run.Results.Where(r => r.Kind == OutcomeKind.Refused).GroupBy(r => r.Errno))
            {
                o.WriteLine($"Refused {why.Count()} with {why.Key}: {why.First().Detail}");
            }
        }

        if (run.AuditDestinations.Length > 0) o.WriteLine($"Audit: {run.AuditDestinations}.");
    }

    internal static string ProgressLine(ActionKind action, RunProgress p) =>
        $"teardown: {action.Id()} {p.Done:N0} of {p.Planned:N0} (released {p.Totals.Released:N0}, killed {p.Totals.Killed:N0}, skipped {p.Totals.Skipped:N0}, refused {p.Totals.Refused:N0}) in {Seconds(p.Elapsed)}";

    private static string Method(ActionKind action) => action == ActionKind.Release
        ? "release: pidfd_getfd duplicates the owner's descriptor, shutdown(SHUT_WR) sends our FIN"
        : "kill: SOCK_DESTROY (tcp_abort)";

    private static string Sockets(int n) => n == 1 ? "1 socket" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} sockets";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Pad(string text, int width) => text.Length >= width ? text : text.PadRight(width);
}
