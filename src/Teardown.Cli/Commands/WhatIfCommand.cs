using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Cli.Output;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Forecast;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Doctor.WhatIf;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown whatif --set net.ipv4.tcp_fin_timeout=10 [--sockopt TCP_LINGER2=5 --pid P] [--input CAPTURE]</c>:
/// each finding's future under changed settings, computed by the model seeded with the observed sockets.
/// Changes nothing on the host.
/// </summary>
public sealed class WhatIfCommand(Terminal terminal) : Command<WhatIfCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--set <KEY=VALUE>")]
        [Description("A sysctl to change, as sysctl writes it: net.ipv4.tcp_fin_timeout=10 (repeatable). Known: tcp_fin_timeout, tcp_orphan_retries, tcp_retries2, " +
            "tcp_keepalive_time/intvl/probes, tcp_max_orphans, tcp_max_tw_buckets, tcp_tw_reuse, ip_local_port_range=\"LOW HIGH\", and the model's others.")]
        public string[] Set { get; init; } = [];

        [CommandOption("--sockopt <NAME=VALUE>")]
        [Description("A socket option the application would set: TCP_LINGER2=5 (negative: reset at close), SO_KEEPALIVE=1, TCP_KEEPIDLE=60, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT=30000 (repeatable).")]
        public string[] Sockopt { get; init; } = [];

        [CommandOption("--pid <PID>")]
        [Description("The process that sets the --sockopt options (default: every process). Orphans have no process: options reach only new sockets.")]
        public int? Pid { get; init; }

        [CommandOption("--finding <N>")]
        [Description("Only finding N, numbered as the doctor prints them.")]
        public int? Finding { get; init; }

        [CommandOption("--input <FILE>")]
        [Description("A capture saved with `teardown doctor --save FILE` instead of this host.")]
        public string? Input { get; init; }

        [CommandOption("--all-netns")]
        [Description("Every network namespace on the host (containers), not only this one. Needs root.")]
        public bool AllNetns { get; init; }

        [CommandOption("--json")]
        [Description("Write the answers as JSON (teardown.whatif/1) instead of tables.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Set.Length == 0 && Sockopt.Length == 0) return ValidationResult.Error("say what to change: --set KEY=VALUE (a sysctl) or --sockopt NAME=VALUE (a socket option)");
            if (Pid is <= 0) return ValidationResult.Error("--pid must be a positive process id");
            if (Pid is not null && Sockopt.Length == 0) return ValidationResult.Error("--pid names the process that sets --sockopt options; give --sockopt too");
            if (Finding is <= 0) return ValidationResult.Error("--finding must be a finding number from 1 on, as the doctor printed it");
            if (Input is not null && AllNetns) return ValidationResult.Error("--input analyses a saved capture; it cannot be combined with --all-netns");
            return Change(out _) is string error ? ValidationResult.Error(error) : ValidationResult.Success();
        }

        /// <summary>The change asked for, or why it cannot be read.</summary>
        internal string? Change(out SettingChange change)
        {
            change = new SettingChange();
            var sysctls = new List<KeyValuePair<string, string>>();
            foreach (string s in Set)
            {
                if (!SettingChange.TryParseSysctl(s, out var sysctl, out string? error)) return "--set " + error;
                sysctls.Add(sysctl);
            }

            var options = new List<KeyValuePair<SocketOption, int>>();
            foreach (string s in Sockopt)
            {
                if (!SettingChange.TryParseSocketOption(s, out var option, out string? error)) return "--sockopt " + error;
                options.Add(option);
            }

            change = new SettingChange { Sysctls = sysctls, SocketOptions = options, Pid = Pid };
            return null;
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        settings.Change(out var change);
        var inputs = Captures.CaptureOrSnapshot(terminal, settings.Input, () => new SnapshotRequest
        {
            AllNamespaces = settings.AllNetns,
            Extensions = DoctorInput.NeededExtensions,
            DetailStates = DoctorInput.DetailStates,
        });
        if (inputs is null) return ExitCodes.Usage;

        var reports = new List<WhatIfReport>();
        var doctors = new List<DoctorReport>();
        int first = 1, total = 0;
        foreach (var input in inputs)
        {
            var doctor = DoctorAnalysis.Analyze(input);
            doctors.Add(doctor);
            var answers = WhatIfAnalysis.Analyze(doctor, input, change, first);
            first += doctor.Findings.Length;
            total += doctor.Findings.Length;
            reports.Add(settings.Finding is int wanted ? answers with { Answers = [.. answers.Answers.Where(a => a.Number == wanted)] } : answers);
        }

        if (settings.Finding is int n && n > total)
        {
            terminal.Fail(total == 0 ? $"--finding {n}: the doctor finds nothing here" : $"--finding {n}: there are {total} findings");
            return ExitCodes.Usage;
        }

        // The answers cover what the doctor could see; say what it could not (without root: other users' owners, namespaces).
        if (BlindSpotText.Hidden(doctors) is { Length: > 0 } hidden) terminal.Note($"whatif: part of the host was hidden ({hidden}); the answers cover what was seen");

        if (settings.Json)
        {
            terminal.Text.WriteLine(WhatIfJson.Write(reports));
        }
        else
        {
            WhatIfRenderer.Render(terminal.Out, reports, total);
        }

        return ExitCodes.Ok;
    }
}
