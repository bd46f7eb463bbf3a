using System.Diagnostics;
using System.Text.Json;
using Spectre.Console.Cli;
using Teardown.Cli.Output;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;
using Teardown.Remediation;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>release</c> and <c>kill</c>: look at the host, plan with the doctor's grouping, print the
/// plan, and only with <c>--apply</c> carry it out (re-verifying each socket just before acting),
/// then report every outcome. Exit: 0 done (or nothing to do, or a dry run), 1 something refused,
/// 2 usage, 3 no permission or kernel feature to act at all, 130 Ctrl-C.
/// </summary>
public abstract class ActionCommand<TSettings>(Terminal terminal, StartupWork startup) : Command<TSettings>
    where TSettings : ActionSettings
{
    /// <summary>Hands for the live kernel; tests may substitute scripted ones.</summary>
    internal static IHandsFactory Hands { get; set; } = new KernelHandsFactory();

    public override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Wide) terminal.UseWideLines();
        if (settings.Problem() is string noProcess)
        {
            terminal.Fail(noProcess);
            return ExitCodes.Usage;
        }

        if (settings.AllNetns && !Privileges.IsRoot)
        {
            terminal.Fail("--all-netns needs root (entering other network namespaces)");
            return ExitCodes.Permission;
        }

        var plans = Plan(settings, out string? planProblem);
        if (planProblem is not null)
        {
            terminal.Fail(planProblem);
            return ExitCodes.Usage;
        }

        if (!settings.Apply)
        {
            if (settings.Json) WriteJson(settings.Action, plans, null, ExitCodes.Ok);
            else ActionRenderer.Plan(terminal.Text, settings, plans, Privileges.IsRoot);
            return ExitCodes.Ok;
        }

        if (plans.Sum(p => p.Plan.Actions.Length) == 0)
        {
            if (settings.Json) WriteJson(settings.Action, plans, null, ExitCodes.Ok);
            else ActionRenderer.Plan(terminal.Text, settings, plans, Privileges.IsRoot);
            return ExitCodes.Ok;
        }

        if (!settings.Json) ActionRenderer.Applying(terminal.Text, settings, plans);
        terminal.Flush();
        var summary = Run(settings, plans, cancellationToken);
        int exit = summary.Interrupted ? ExitCodes.Interrupted
            : summary.OnlyMissingPermissionOrFeature ? ExitCodes.Permission
            : summary.Totals.Refused > 0 ? ExitCodes.Findings
            : ExitCodes.Ok;
        if (settings.Json) WriteJson(settings.Action, plans, summary, exit);
        else ActionRenderer.Results(terminal.Text, settings, summary);
        foreach (string problem in summary.AuditProblems) terminal.Note($"teardown: {problem}");
        return exit;
    }

    private List<NamespacePlan> Plan(TSettings settings, out string? problem)
    {
        problem = null;
        var request = new SnapshotRequest
        {
            AllNamespaces = settings.AllNetns,
            NamespaceOfPid = settings.Pid,
            Extensions = DoctorInput.NeededExtensions,
            Prefetch = startup.OwnerPrefetch,
        };
        var inputs = NamespaceSnapshots.Take(request).Select(DoctorInput.From).ToList();
        var plans = new List<NamespacePlan>(inputs.Count);
        var selection = settings.Selection();
        foreach (var input in inputs)
        {
            var index = SocketIndex.Build(input.Sockets, input.Settings);
            // The doctor's numbering: its report over the whole namespace, unfiltered.
            var report = DoctorAnalysis.Analyze(input, null, index);
            if (selection.Finding is int n && n > report.Findings.Length)
            {
                problem = report.Findings.Length == 0
                    ? $"--finding {n}: the doctor finds nothing on this host now"
                    : $"--finding {n}: the doctor now reports {report.Findings.Length} finding(s); run teardown doctor again for the current numbers";
                return plans;
            }

            plans.Add(new NamespacePlan(input.NetNsInode, ActionPlanner.Plan(input, report, selection, index)));
        }

        return plans;
    }

    private RunSummary Run(TSettings settings, List<NamespacePlan> plans, CancellationToken cancellationToken)
    {
        using var interrupt = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop between two sockets and report what was done
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var lastProgress = Stopwatch.StartNew();
        try
        {
            var options = settings.ToRunOptions(p =>
            {
                if (lastProgress.Elapsed < TimeSpan.FromSeconds(1) || p.Done == p.Planned) return;
                lastProgress.Restart();
                terminal.Note(ActionRenderer.ProgressLine(settings.Action, p));
            });
            return ActionRunner.RunAsync(plans, Hands, options, linked.Token).GetAwaiter().GetResult();
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private void WriteJson(ActionKind action, IReadOnlyList<NamespacePlan> plans, RunSummary? run, int exit)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ActionJson.Write(w, action, plans, run, exit);
        }

        terminal.Text.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}

/// <summary><c>teardown release</c>: send our FIN on CLOSE_WAIT sockets a live process holds.</summary>
public sealed class ReleaseCommand(Terminal terminal, StartupWork startup) : ActionCommand<ReleaseCommand.Settings>(terminal, startup)
{
    public sealed class Settings : ActionSettings
    {
        internal override ActionKind Action => ActionKind.Release;
    }
}

/// <summary><c>teardown kill</c>: destroy sockets (SOCK_DESTROY), for those no process holds.</summary>
public sealed class KillCommand(Terminal terminal, StartupWork startup) : ActionCommand<KillCommand.Settings>(terminal, startup)
{
    public sealed class Settings : ActionSettings
    {
        internal override ActionKind Action => ActionKind.Kill;
    }
}
