using System.ComponentModel;
using System.Net;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Cli.Output;
using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;
using Teardown.Server.Hosting;
using Teardown.Server.Security;
using Teardown.Server.Snapshots;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown serve</c>: snapshots this host every interval and serves Prometheus metrics, the
/// doctor's JSON and a live page until SIGTERM or Ctrl-C (docs/serve.md, docs/metrics.md).
/// </summary>
public sealed class ServeCommand(Terminal terminal) : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--listen <ADDRESS:PORT>")]
        [Description("Where to listen: 127.0.0.1:9877 (default: this host only), [[::1]]:9877, or :9877 for every interface (then protect it with --web.config).")]
        [DefaultValue("127.0.0.1:9877")]
        public string Listen { get; init; } = "127.0.0.1:9877";

        [CommandOption("-i|--interval <DURATION>")]
        [Description("Time between snapshots, 1s to 1h: 15s (default), 5s, 1m. Scrapes never cause a snapshot: every scraper reads the last one.")]
        [DefaultValue("15s")]
        public string Interval { get; init; } = "15s";

        [CommandOption("--all-netns")]
        [Description("Every network namespace on the host (containers, pods), not only this one.")]
        public bool AllNetns { get; init; }

        [CommandOption("--top <N>")]
        [Description("Label values kept per label (services, commands, owners, destinations); the rest are summed as 'other' so a big host cannot explode cardinality. Default 20.")]
        [DefaultValue(20)]
        public int Top { get; init; } = 20;

        [CommandOption("--owners <METHOD>")]
        [Description("How to find each socket's process: [bold]auto[/] (default: a BPF task_file iterator as root, else /proc), [bold]bpf[/], or [bold]proc[/] (never loads BPF).")]
        [DefaultValue("auto")]
        public string Owners { get; init; } = "auto";

        [CommandOption("--web-config <FILE>")]
        [Description("TLS, basic auth and response headers from a web config file in the exporter-toolkit format (tls_server_config, basic_auth_users with bcrypt hashes, http_server_config), node_exporter's --web.config.file; also spelled --web.config. Every path then needs the credentials, /healthz included.")]
        public string? WebConfig { get; init; }

        [CommandOption("--bound-inactive")]
        [Description("Also dump sockets bound but neither listening nor connected (state CLOSE). Off by default: Linux walks its whole bind hash to find them, a third of a snapshot's kernel time on a host of 150,000 sockets, and they are never findings (doctor shows them).")]
        public bool BoundInactive { get; init; }

        [CommandOption("--unprivileged")]
        [Description("Run without root: serve what this user can see (every socket of this namespace, the owners only of its own processes), with the blind spots said in the metrics.")]
        public bool Unprivileged { get; init; }

        public override ValidationResult Validate()
        {
            if (!TryParseListen(Listen, out _)) return ValidationResult.Error($"--listen '{Listen}' is not ADDRESS:PORT such as 127.0.0.1:9877, [::1]:9877 or :9877");
            if (!DurationText.TryParse(Interval, out var interval)) return ValidationResult.Error($"--interval '{Interval}' is not a duration such as 15s, 5s or 1m");
            if (interval < MinInterval || interval > MaxInterval) return ValidationResult.Error($"--interval must be between 1s and 1h, not {Interval}");
            if (Top is < 1 or > 1000) return ValidationResult.Error($"--top must be between 1 and 1000, not {Top}");
            if (OwnerMethodParser.TryParse(Owners) is null) return ValidationResult.Error($"--owners must be auto, bpf or proc, not '{Owners}'");
            return ValidationResult.Success();
        }
    }

    /// <summary>
    /// The exporters' spelling of the option (<c>--web.config</c>, <c>--web.config.file</c>, node_exporter's),
    /// which the command-line parser cannot name (no dots in option names): rewritten to <c>--web-config</c>.
    /// </summary>
    internal static string[] WithExporterSpellings(string[] args) =>
        args.Length > 0 && args[0] == "serve"
            ? [.. args.Select(a => a switch
            {
                "--web.config" or "--web.config.file" => "--web-config",
                _ when a.StartsWith("--web.config=", StringComparison.Ordinal) => "--web-config=" + a["--web.config=".Length..],
                _ when a.StartsWith("--web.config.file=", StringComparison.Ordinal) => "--web-config=" + a["--web.config.file=".Length..],
                _ => a,
            })]
            : args;

    /// <summary>Shortest interval: a snapshot of 150,000 sockets costs ~0.5 s of CPU; faster would make the exporter the host's load.</summary>
    internal static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longest interval: beyond an hour, growth rates and alerts would be meaningless.</summary>
    internal static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    /// <summary>"127.0.0.1:9877", "[::1]:9877", or ":9877" (every IPv4 interface, as exporters spell it).</summary>
    internal static bool TryParseListen(string text, out IPEndPoint endpoint)
    {
        endpoint = ServeOptions.DefaultListen;
        if (text.StartsWith(':') && int.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int any) && any is >= 0 and <= 65535)
        {
            endpoint = new IPEndPoint(IPAddress.Any, any);
            return true;
        }

        // IPEndPoint.TryParse accepts a bare address (port 0): a listen address needs its port.
        int colon = text.LastIndexOf(':');
        if (colon < 0 || text.EndsWith(']')) return false;
        return IPEndPoint.TryParse(text, out endpoint!) && text[(colon + 1)..].All(char.IsAsciiDigit);
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Privileges.IsRoot && !settings.Unprivileged)
        {
            terminal.Fail("serve needs root to see every socket's owner (reading other processes' /proc/PID/fd needs CAP_SYS_PTRACE) — run it as root, or pass --unprivileged to serve what this user can see");
            return ExitCodes.Permission;
        }

        WebConfig? web = null;
        if (settings.WebConfig is string webConfigPath)
        {
            var loaded = WebConfigLoader.Load(webConfigPath);
            foreach (var d in loaded.Diagnostics) terminal.Note(d.ToString());
            if (!loaded.Succeeded)
            {
                terminal.Fail($"the web config {webConfigPath} is not usable (see above)");
                return ExitCodes.Usage;
            }

            web = loaded.Config;
        }

        TryParseListen(settings.Listen, out var listen);
        DurationText.TryParse(settings.Interval, out var interval);
        var request = new SnapshotRequest
        {
            AllNamespaces = settings.AllNetns,
            OwnerMethod = OwnerMethodParser.TryParse(settings.Owners) ?? Teardown.Linux.Owners.OwnerScanMethod.Auto,
            Extensions = Teardown.Doctor.Input.DoctorInput.NeededExtensions,
            DetailStates = Teardown.Doctor.Input.DoctorInput.DetailStates,
            // A server pays CPU every interval, not wall time once: one walk of the kernel's tables per
            // family, and the bind-hash walk only when asked (measured: bench/serve-vs-ss.sh).
            States = settings.BoundInactive ? TcpStateMask.All : TcpStateMask.All & ~TcpStateMask.BoundInactive,
            SplitDumpAbove = int.MaxValue,
            // One follower for the server's life: each snapshot reads only the ledger's new lines.
            Ledger = new Teardown.Linux.Ledger.LedgerFollower(Teardown.Linux.Ledger.ActionLedger.PathInEffect),
        };
        var loop = new SnapshotLoop(new HostSnapshotSource(request), interval, settings.Top, TeardownApp.Version);
        var options = new ServeOptions { Listen = listen, Interval = interval, Top = settings.Top, Version = TeardownApp.Version, WebConfig = web };
        await using var app = ServeHost.Build(options, loop);

        // Ctrl-C is an interruption (exit 130); SIGTERM a clean stop (exit 0). The host stops on both.
        bool interrupted = false;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => interrupted = true);
        switch (await ServeHost.StartAsync(app, cancellationToken).ConfigureAwait(false))
        {
            case StartOutcome.AddressInUse:
                terminal.Fail($"cannot listen on {settings.Listen}: the address is already in use (another process listens there; choose another with --listen)");
                return ExitCodes.Usage;
            case StartOutcome.AccessDenied:
                terminal.Fail($"cannot listen on {settings.Listen}: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)");
                return ExitCodes.Permission;
            case StartOutcome.AddressNotAvailable:
                terminal.Fail($"cannot listen on {settings.Listen}: no interface of this host has that address");
                return ExitCodes.Usage;
        }

        int port = ServeHost.BoundPort(app);
        string scheme = web?.Tls is null ? "http" : "https";
        string auth = web is null || web.BasicAuthUsers.IsEmpty ? "" : $", basic auth for {web.BasicAuthUsers.Hashes.Count} user(s)";
        terminal.Note($"teardown serve: listening on {scheme}://{Display(listen, port)}/ — metrics /metrics, page /, API /api/report, health /healthz /readyz; a snapshot every {DurationText.Format(interval)}{(settings.AllNetns ? " of every network namespace" : "")}{auth}");
        loop.Published += state =>
        {
            if (!state.Status.LastOk) terminal.Note($"teardown serve: snapshot failed ({state.Status.LastError}); still serving the one of {state.Status.LastSuccess:u}");
        };

        await ServeHost.ServeUntilStoppedAsync(app, loop).ConfigureAwait(false);
        terminal.Note($"teardown serve: stopped after {loop.Current.Status.Attempts} snapshots");
        return interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    private static string Display(IPEndPoint listen, int port) =>
        listen.Address.Equals(IPAddress.Any) ? $"0.0.0.0:{port}" : new IPEndPoint(listen.Address, port).ToString();
}
