using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Commands;

/// <summary><c>teardown doctor [--json] [--all-netns] [--pid P] [--port N]</c>: why TCP connections are stuck on this host.</summary>
public sealed class DoctorCommand(IAnsiConsole console) : AsyncCommand<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Write the report as JSON (schema teardown.doctor/1) instead of tables.")]
        public bool Json { get; init; }

        [CommandOption("--all-netns")]
        [Description("Inspect every network namespace on the host (containers), not only this one. Needs root.")]
        public bool AllNetns { get; init; }

        [CommandOption("--pid <PID>")]
        [Description("Only sockets held by this process (in its own network namespace).")]
        public int? Pid { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("Only sockets whose local or remote port is PORT.")]
        public int? Port { get; init; }

        [CommandOption("--source <SOURCE>")]
        [Description("Socket source: [bold]sock_diag[/] (netlink, default; falls back to /proc when unavailable) or [bold]proc[/] (/proc/net/tcp only).")]
        [DefaultValue("sock_diag")]
        public string Source { get; init; } = "sock_diag";

        [CommandOption("--owners <METHOD>")]
        [Description("How to find each socket's process: [bold]auto[/] (default: a BPF task_file iterator when running as root, else /proc), [bold]bpf[/], or [bold]proc[/] (one readlink per descriptor, as ss -p does; never loads BPF).")]
        [DefaultValue("auto")]
        public string Owners { get; init; } = "auto";

        [CommandOption("--save <FILE>")]
        [Description("Also save what was read (sockets, owners, settings) as a capture FILE, to analyse elsewhere with --input.")]
        public string? Save { get; init; }

        [CommandOption("--input <FILE>")]
        [Description("Analyse a capture saved with --save instead of this host.")]
        public string? Input { get; init; }

        [CommandOption("--details <N>")]
        [Description("Explain at most N findings in full (default 6); the table lists all.")]
        [DefaultValue(6)]
        public int Details { get; init; } = 6;

        public override ValidationResult Validate()
        {
            if (Pid is <= 0) return ValidationResult.Error("--pid must be a positive process id");
            if (Port is < 0 or > 65535) return ValidationResult.Error("--port must be 0–65535");
            if (Source is not ("sock_diag" or "proc")) return ValidationResult.Error($"--source must be sock_diag or proc, not '{Source}'");
            if (OwnerMethodParser.TryParse(Owners) is null) return ValidationResult.Error($"--owners must be auto, bpf or proc, not '{Owners}'");
            if (Save is not null && AllNetns) return ValidationResult.Error("--save takes one namespace; drop --all-netns or use --pid");
            if (Input is not null && (AllNetns || Save is not null)) return ValidationResult.Error("--input analyses a saved capture; it cannot be combined with --all-netns or --save");
            if (Details < 0) return ValidationResult.Error("--details must be 0 or more");
            return ValidationResult.Success();
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        Task.FromResult(Execute(settings));

    private int Execute(Settings settings)
    {
        var clock = Stopwatch.StartNew();
        if (settings.Pid is int wanted && settings.Input is null && !Directory.Exists($"/proc/{wanted}"))
        {
            console.MarkupLineInterpolated($"[red]error:[/] no process with pid {wanted}");
            return ExitCodes.Usage;
        }

        List<DoctorInput> inputs;
        if (settings.Input is string path)
        {
            try
            {
                inputs = [CaptureJson.Read(File.ReadAllBytes(path))];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                console.MarkupLineInterpolated($"[red]error:[/] cannot read the capture {path}: {e.Message}");
                return ExitCodes.Usage;
            }
        }
        else
        {
            inputs = DoctorSnapshots.Take(settings.AllNetns, settings.Pid,
                settings.Source == "proc" ? SocketSourcePreference.ProcNetTcp : SocketSourcePreference.SockDiag,
                OwnerMethodParser.TryParse(settings.Owners) ?? Teardown.Linux.Proc.OwnerScanMethod.Auto);
        }

        if (settings.Save is string save && !Captures.TrySave(console, save, inputs[0]))
        {
            return ExitCodes.Usage;
        }

        var filter = new DoctorFilter(settings.Pid, settings.Port);
        var read = clock.Elapsed;
        var reports = inputs.Select(i => DoctorAnalysis.Analyze(i, filter)).ToList();
        var analysed = clock.Elapsed;
        int exit = ExitCode(reports);
        if (Environment.GetEnvironmentVariable("TEARDOWN_TIMING") is "1")
        {
            var cost = inputs[0].Cost;
            double sinceStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
            Console.Error.WriteLine($"timing: start-up {sinceStart - analysed.TotalMilliseconds:0} ms (runtime, argument parsing), " +
                $"read {read.TotalMilliseconds:0} ms (sockets {cost.Sockets.TotalMilliseconds:0} ms ∥ owners {cost.Owners.TotalMilliseconds:0} ms, {cost.FdsScanned} fds), " +
                $"analysis {(analysed - read).TotalMilliseconds:0} ms");
        }

        if (settings.Json)
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                ReportJson.Write(w, reports, exit, clock.Elapsed);
            }

            Console.Out.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            Console.Out.WriteLine();
            return exit;
        }

        foreach (var report in reports)
        {
            DoctorRenderer.Render(console, report, settings.Details, reports.Count > 1);
        }

        DoctorRenderer.Verdict(console, reports, exit, clock.Elapsed);
        return exit;
    }

    /// <summary>3 when permissions or missing kernel features hid part of the host (the findings are then incomplete), else 1 with findings, else 0.</summary>
    internal static int ExitCode(IReadOnlyList<DoctorReport> reports) =>
        reports.Any(r => r.IsPartial) ? ExitCodes.Permission
        : reports.Any(r => r.HasFindings) ? ExitCodes.Findings
        : ExitCodes.Ok;
}
