using System.ComponentModel;
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Cli.Output;
using Teardown.Lab;
using Teardown.Lab.Reproduction;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;
using Teardown.Remediation;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown demo</c>: builds a private network namespace, reproduces a realistic accumulation of
/// stuck connections in it, runs the doctor on it, and removes everything again (also on Ctrl-C or
/// failure). Nothing on the host is changed: the sockets and the port-range sysctl live in the
/// private namespace, which disappears with its last reference.
/// </summary>
public sealed class DemoCommand(Terminal terminal, StartupWork startup) : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the doctor's report as JSON instead of tables.")]
        public bool Json { get; init; }

        [CommandOption("--save <FILE>")]
        [Description("Save the reproduction as a capture FILE (teardown doctor --input FILE analyses it again, without root).")]
        public string? Save { get; init; }

        [CommandOption("--details <N>")]
        [Description("Explain at most N findings in full (default 4).")]
        [DefaultValue(4)]
        public int Details { get; init; } = 4;
    }

    /// <summary>The classes the reproduction must produce; the demo fails loudly if one is missing.</summary>
    internal static readonly SocketClass[] Expected =
    [
        SocketClass.CloseWaitUnreadEof, SocketClass.CloseWaitReadNotClosed, SocketClass.CloseWaitUnreadData,
        SocketClass.CloseWaitNeverAccepted, SocketClass.FinWait2Orphaned, SocketClass.FinWait2HalfClosed, SocketClass.TimeWait,
        SocketClass.Established, SocketClass.FinWait1Orphaned, SocketClass.LastAckOrphaned,
    ];

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        Task.FromResult(Execute(settings, cancellationToken));

    private int Execute(Settings settings, CancellationToken cancellationToken)
    {
        var console = terminal.Out;
        PileUp pileUp;
        try
        {
            pileUp = PileUp.CreateNamespace();
        }
        catch (LabUnavailableException e)
        {
            terminal.Fail($"demo cannot run: {e.Reason}");
            terminal.Error.WriteLine("Run it as 'sudo ./teardown demo'. Without root, './teardown doctor' still inspects what this user can see.");
            return ExitCodes.Permission;
        }

        using var interrupt = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // finish the cleanup below instead of dying with sockets and a namespace open
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        var plan = new AccumulationPlan();

        // Progress goes to stderr with --json, so that standard output is only the report.
        void Step(string text)
        {
            linked.Token.ThrowIfCancellationRequested();
            string line = $"{clock.Elapsed.TotalSeconds,5:0.0}s {text}";
            if (settings.Json) terminal.Note(line);
            else console.MarkupLineInterpolated($"[dim]{clock.Elapsed.TotalSeconds,5:0.0}s[/] {text}");
            terminal.Flush();
        }

        try
        {
            Step("created a private network namespace (only loopback inside; the host is not touched)");
            Step($"reproducing {plan.Connections} connections: a leaky server, a stale client pool, a half-closing client, a slow acceptor, short-lived clients");
            pileUp.Build(plan, Step);
            if (pileUp.SkippedUnreachable is string why)
            {
                Step($"skipped the unreachable-peer part: {why}");
            }

            Step($"holding {pileUp.Held} descriptors; running the doctor on the namespace");
            var input = DoctorInput.From(pileUp.Snapshot());
            if (settings.Save is string save && !Captures.TrySave(terminal, save, input))
            {
                return ExitCodes.Usage;
            }

            var report = DoctorAnalysis.Analyze(input);
            int exit = Render(settings, report, startup.Elapsed);
            var missing = Expected.Where(c => !report.ClassCounts.ContainsKey(c))
                .Where(c => pileUp.SkippedUnreachable is null || c is not (SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned)).ToList();
            if (missing.Count > 0)
            {
                terminal.Fail($"the reproduction did not produce: {string.Join(", ", missing.Select(m => m.Id()))}");
                return ExitCodes.Findings;
            }

            ClearUp(settings, pileUp, input, report, Step);
            return exit;
        }
        catch (OperationCanceledException)
        {
            terminal.Fail("interrupted: cleaning up");
            return ExitCodes.Interrupted;
        }
        catch (LabUnavailableException e)
        {
            terminal.Fail($"demo cannot run: {e.Reason}");
            return ExitCodes.Permission;
        }
        finally
        {
            pileUp.Dispose();
            Console.CancelKeyPress -= onCancel;
            Step2($"{clock.Elapsed.TotalSeconds,5:0.0}s cleaned up: sockets closed, namespace deleted");
        }

        void Step2(string line)
        {
            if (settings.Json) terminal.Note(line);
            else console.MarkupLineInterpolated($"[dim]{line}[/]");
        }
    }

    /// <summary>
    /// The last step: what an SRE does next — release the leak (dry run, then apply), kill the
    /// orphans no process holds, and look again. The actions are recorded in a ledger of the demo's
    /// own (deleted afterwards), never in the host's.
    /// </summary>
    private void ClearUp(Settings settings, PileUp pileUp, DoctorInput input, DoctorReport report, Action<string> step)
    {
        string ledger = Path.Combine(Path.GetTempPath(), $"teardown-demo-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
        try
        {
            var release = ActionPlanner.Plan(input, report, new ActionSelection { Action = ActionKind.Release, OlderThan = TimeSpan.Zero });
            var owners = release.Actions.Select(a => a.Command ?? "?").Distinct().ToList();
            step($"last step: teardown release (dry run) plans {release.Actions.Length} CLOSE_WAIT sockets held by {string.Join(", ", owners)}; " +
                $"{release.Refused.Length} matched sockets are not for release (orphans: kill; half-closed FIN_WAIT2: only the peer's FIN ends it); nothing changed yet");
            var released = Apply(release, input.NetNsInode, ledger);
            step($"teardown release --apply: released {released.Totals.Released}, skipped {released.Totals.Skipped}, refused {released.Totals.Refused} in {released.Elapsed.TotalSeconds:0.00} s — our FIN on each, the peers saw a clean close");

            var middle = DoctorInput.From(pileUp.Snapshot());
            var kill = ActionPlanner.Plan(middle, DoctorAnalysis.Analyze(middle), new ActionSelection { Action = ActionKind.Kill });
            var killed = Apply(kill, middle.NetNsInode, ledger);
            step($"teardown kill --apply: killed {killed.Totals.Killed} sockets no process holds (orphans, never accepted), skipped {killed.Totals.Skipped}, refused {killed.Totals.Refused}");

            // The doctor reads the demo's own ledger, as it reads the host's, to name what is still held.
            var after = DoctorInput.From(NamespaceSnapshots.WithLedger([pileUp.Snapshot()], new LedgerFollower(ledger))[0]);
            var final = DoctorAnalysis.Analyze(after);
            if (!settings.Json)
            {
                terminal.Out.MarkupLine("[bold]After release and kill[/] — the doctor again:");
                DoctorRenderer.Render(terminal.Out, final, settings.Details, showNamespace: true);
                terminal.Out.MarkupLineInterpolated($"[bold]The leak is cleared[/] without restarting anything; the application still holds the {released.Totals.Released} released descriptors until it closes them (its reads return end of stream) — the held-after-release finding above.");
            }
        }
        finally
        {
            File.Delete(ledger);
        }
    }

    private static RunSummary Apply(ActionPlan plan, ulong netns, string ledger) =>
        ActionRunner.RunAsync([new NamespacePlan(netns, plan)], new KernelHandsFactory(), new RunOptions { LedgerPath = ledger, SelectionText = "demo" })
            .GetAwaiter().GetResult();

    private int Render(Settings settings, DoctorReport report, TimeSpan elapsed)
    {
        if (settings.Json)
        {
            terminal.Text.WriteLine(ReportText.Json([report], ExitCodes.Ok, elapsed));
            return ExitCodes.Ok;
        }

        DoctorRenderer.Render(terminal.Out, report, settings.Details, showNamespace: true);
        terminal.Out.MarkupLine("[bold]The demo is a reproduction:[/] the findings above are expected. On a real host run [bold]./teardown doctor[/] (exit 1 means findings).");
        return ExitCodes.Ok;
    }
}
