using System.ComponentModel;
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Cli.Output;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Commands;

/// <summary><c>teardown doctor [--json|--brief|--sockets] [--all-netns] [--pid P] [--port N]</c>: why TCP connections are stuck on this host.</summary>
public sealed class DoctorCommand(Terminal terminal, StartupWork startup) : Command<DoctorCommand.Settings>
{
    public sealed class Settings : ReportSettings
    {
        [CommandOption("--brief")]
        [Description("One line per finding: number, severity, sockets, class, side and service, owner, when reaped. For grep and awk.")]
        public bool Brief { get; init; }

        [CommandOption("--sockets")]
        [Description("One line per socket of the findings: ss's columns (State Recv-Q Send-Q Local Peer) plus class and owner.")]
        public bool Sockets { get; init; }

        [CommandOption("--source <SOURCE>")]
        [Description("Socket source: [bold]sock_diag[/] (netlink, default; falls back to /proc when unavailable) or [bold]proc[/] (/proc/net/tcp only).")]
        [DefaultValue("sock_diag")]
        public string Source { get; init; } = "sock_diag";

        [CommandOption("--owners <METHOD>")]
        [Description("How to find each socket's process: [bold]auto[/] (default: a BPF task_file iterator when running as root, else /proc), [bold]bpf[/], or [bold]proc[/] (one readlink per descriptor, as ss -p does; never loads BPF).")]
        [DefaultValue("auto")]
        public string Owners { get; init; } = "auto";

        [CommandOption("--html <FILE>")]
        [Description("Also write the report as one self-contained, printable HTML page: the findings with their explanations, the ages of CLOSE_WAIT and FIN_WAIT2 sockets, owners by descriptor headroom, ports per destination.")]
        public string? Html { get; init; }

        [CommandOption("--scenario <N>")]
        [Description("Write finding N as a runnable .scn scenario that reproduces its mechanism (two hosts, the calls, this host's settings, the expected states): [bold]teardown doctor --scenario 1 > finding.scn[/], then [bold]teardown run finding.scn[/] or [bold]teardown diff finding.scn[/].")]
        public int? Scenario { get; init; }

        [CommandOption("--input <FILE>")]
        [Description("Analyse a capture saved with --save instead of this host.")]
        public string? Input { get; init; }

        public override ValidationResult Validate()
        {
            if (Source is not ("sock_diag" or "proc")) return ValidationResult.Error($"--source must be sock_diag or proc, not '{Source}'");
            if (OwnerMethodParser.TryParse(Owners) is null) return ValidationResult.Error($"--owners must be auto, bpf or proc, not '{Owners}'");
            if (Input is not null && (AllNetns || Save is not null)) return ValidationResult.Error("--input analyses a saved capture; it cannot be combined with --all-netns or --save");
            if ((Json ? 1 : 0) + (Brief ? 1 : 0) + (Sockets ? 1 : 0) + (Scenario is null ? 0 : 1) > 1) return ValidationResult.Error("choose one of --json, --brief, --sockets and --scenario");
            if (Scenario is <= 0) return ValidationResult.Error("--scenario must be a finding number from 1 on, as the doctor printed it");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Wide) terminal.UseWideLines();
        if (settings.Input is null && settings.Problem() is string noProcess)
        {
            terminal.Fail(noProcess);
            return ExitCodes.Usage;
        }

        SocketIndex? early = null;
        var inputs = Captures.CaptureOrSnapshot(terminal, settings.Input, () => new SnapshotRequest
        {
            AllNamespaces = settings.AllNetns,
            NamespaceOfPid = settings.Pid,
            Source = settings.Source == "proc" ? SocketSourcePreference.ProcNetTcp : SocketSourcePreference.SockDiag,
            OwnerMethod = OwnerMethodParser.TryParse(settings.Owners) ?? Teardown.Linux.Owners.OwnerScanMethod.Auto,
            Extensions = DoctorInput.NeededExtensions,
            DetailStates = DoctorInput.DetailStates,
            Prefetch = startup.OwnerPrefetch,
            // Connections release and kill ended whose descriptors the application still holds.
            Ledger = new Teardown.Linux.Ledger.LedgerFollower(Teardown.Linux.Ledger.ActionLedger.PathInEffect),
        }, whileScanning: s => early ??= SocketIndex.Build(s.Sockets, s.Settings)); // classify the first namespace while its owner scan runs
        if (inputs is null) return ExitCodes.Usage;

        if (settings.Save is string save && !Captures.TrySave(terminal, save, inputs[0]))
        {
            return ExitCodes.Usage;
        }

        var filter = new DoctorFilter(settings.Pid, settings.Port);
        var read = startup.Elapsed;
        var reports = inputs.Select((input, n) => DoctorAnalysis.Analyze(input, filter, n == 0 ? early : null)).ToList();
        var analysed = startup.Elapsed;
        int exit = ExitCode(reports);
        if (Environment.GetEnvironmentVariable("TEARDOWN_TIMING") is "1") Timing(inputs[0].Cost, read, analysed);

        if (settings.Html is string html)
        {
            var namespaces = inputs.Select((input, i) => new Teardown.Doctor.Export.AnalysedNamespace(input, i == 0 && early?.Sockets == input.Sockets ? early! : SocketIndex.Build(input.Sockets, input.Settings), reports[i])).ToList();
            var view = Teardown.Doctor.Export.ExportViewBuilder.Build(namespaces);
            if (!Pictures.TryWrite(terminal, html, () => DoctorHtml.Render(reports, view, inputs[0].TakenAt))) return ExitCodes.Usage;
        }

        if (settings.Scenario is int wanted)
        {
            return WriteScenario(reports, inputs, wanted);
        }

        if (settings.Json)
        {
            // elapsedMs covers the whole run, from the process's start to the report.
            terminal.Text.WriteLine(ReportText.Json(reports, exit, startup.Elapsed));
        }
        else if (settings.Brief)
        {
            BriefRenderer.Findings(terminal.Text, reports);
        }
        else if (settings.Sockets)
        {
            BriefRenderer.Sockets(terminal.Text, reports.Select((r, n) => StuckSockets.Of(inputs[n], r, n == 0 ? early : null)).ToList(), reports);
        }
        else
        {
            foreach (var report in reports)
            {
                DoctorRenderer.Render(terminal.Out, report, settings.Details, reports.Count > 1);
            }

            DoctorRenderer.Verdict(terminal.Out, reports, exit, startup.Elapsed);
        }

        if (Environment.GetEnvironmentVariable("TEARDOWN_TIMING") is "1") terminal.Note($"timing: render {(startup.Elapsed - analysed).TotalMilliseconds:0} ms");
        return exit;
    }

    /// <summary><c>--scenario N</c>: finding N (numbered across namespaces, as printed) as a .scn file on stdout.</summary>
    private int WriteScenario(IReadOnlyList<DoctorReport> reports, IReadOnlyList<DoctorInput> inputs, int wanted)
    {
        int n = 0;
        for (int r = 0; r < reports.Count; r++)
        {
            foreach (var finding in reports[r].Findings)
            {
                if (++n != wanted) continue;
                if (Teardown.Doctor.Reproduce.FindingScenario.For(finding, n, inputs[r].Settings) is not string scenario)
                {
                    terminal.Fail($"finding {n} ({finding.Class.Id()}) has no two-host reproduction; these classes have one: {string.Join(", ", Teardown.Doctor.Reproduce.FindingScenario.Reproducible.Select(c => c.Id()))}");
                    return ExitCodes.Usage;
                }

                terminal.Text.Write(scenario);
                return ExitCodes.Ok;
            }
        }

        terminal.Fail(n == 0 ? $"--scenario {wanted}: the doctor finds nothing here" : $"--scenario {wanted}: there are {n} findings");
        return ExitCodes.Usage;
    }

    private void Timing(ReadCost cost, TimeSpan read, TimeSpan analysed) =>
        terminal.Note($"timing: read {read.TotalMilliseconds:0} ms since start (sockets {cost.Sockets.TotalMilliseconds:0} ms ∥ owners {cost.Owners.TotalMilliseconds:0} ms, {cost.FdsScanned} fds), " +
            $"analysis {(analysed - read).TotalMilliseconds:0} ms, render follows");

    /// <summary>
    /// 1 when there are findings (also when part of the host was hidden: what was seen is real), else
    /// 3 when permissions or missing kernel features hid part of the host, else 0.
    /// </summary>
    internal static int ExitCode(IReadOnlyList<DoctorReport> reports) => ReportVerdict.ExitCode(reports);
}
