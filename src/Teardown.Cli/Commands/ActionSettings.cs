using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;
using Teardown.Linux.Journal;
using Teardown.Linux.Ledger;
using Teardown.Remediation;

namespace Teardown.Cli.Commands;

/// <summary>
/// What <c>release</c> and <c>kill</c> share: the selection (chosen the way the doctor groups
/// sockets), the dry run unless <c>--apply</c>, the rate, the audit and the output.
/// </summary>
public abstract class ActionSettings : HostSettings
{
    [CommandOption("--finding <N>")]
    [Description("Only the sockets of the doctor's finding N (the number [bold]teardown doctor[/] printed), re-derived from a fresh look at the host.")]
    public int? Finding { get; init; }

    [CommandOption("--class <CLASS>")]
    [Description("Only sockets of this class, as the doctor names them: close-wait-unread-eof, close-wait-read-not-closed, close-wait-unread-data, close-wait-never-accepted, fin-wait1-orphaned, fin-wait2-orphaned, last-ack-orphaned, closing-orphaned…")]
    public string? Class { get; init; }

    [CommandOption("--remote <ADDR>")]
    [Description("Only sockets towards this peer: ADDR or ADDR:PORT ([[v6]]:PORT).")]
    public string? Remote { get; init; }

    [CommandOption("--older-than <DUR>")]
    [Description("Only sockets that have received nothing (not even an ACK) for at least DUR (30s, 5m, 2h). release: default 60s, because a younger CLOSE_WAIT may be a server still writing its answer after the client's half-close; 0s for all.")]
    public string? OlderThan { get; init; }

    /// <summary>The age in effect: the option, else release's one-minute guard, else none.</summary>
    internal TimeSpan? MinimumQuiet => OlderThan is not null && DurationText.TryParse(OlderThan, out var given) ? given
        : Action == ActionKind.Release ? DefaultReleaseAge : null;

    /// <summary>release leaves CLOSE_WAIT younger than this alone unless --older-than says otherwise.</summary>
    internal static readonly TimeSpan DefaultReleaseAge = TimeSpan.FromMinutes(1);

    [CommandOption("--limit <N>")]
    [Description("At most N sockets (the first N in the kernel's order).")]
    public int? Limit { get; init; }

    [CommandOption("--state <STATE>")]
    [Description("Only sockets in this state (repeatable). LISTEN, ESTABLISHED and TIME_WAIT are never chosen unless named here.")]
    public string[] States { get; init; } = [];

    [CommandOption("--apply")]
    [Description("Act. Without it nothing is changed: the plan is printed (every socket, its owner, what the peer and the application will see).")]
    public bool Apply { get; init; }

    [CommandOption("--rate <N/s>")]
    [Description("At most N sockets a second, evenly spread (default 1000/s), so a large run cannot flood a peer or stall the host.")]
    [DefaultValue("1000/s")]
    public string Rate { get; init; } = "1000/s";

    [CommandOption("--json")]
    [Description("Write the plan (and with --apply every outcome and the totals) as JSON, schema teardown.actions/1.")]
    public bool Json { get; init; }

    [CommandOption("--ledger <FILE>")]
    [Description("Where the audit ledger is appended (one JSON line per socket acted on; serve, watch and doctor read it). Default: $TEARDOWN_LEDGER or /run/teardown/actions.jsonl.")]
    public string? Ledger { get; init; }

    [CommandOption("--syslog <SOCKET>")]
    [Description("The syslog socket that gets one audit line per socket (authpriv.notice; journald and rsyslog listen on it). Default /dev/log; [bold]none[/] for no syslog (the ledger still records).")]
    [DefaultValue(SyslogClient.DefaultPath)]
    public string Syslog { get; init; } = SyslogClient.DefaultPath;

    [CommandOption("--wide")]
    [Description("Do not fit lines to the terminal.")]
    public bool Wide { get; init; }

    /// <summary>The action this command carries out.</summary>
    internal abstract ActionKind Action { get; }

    /// <summary>The ledger path in effect.</summary>
    internal string LedgerPath => Ledger ?? ActionLedger.PathInEffect;

    public override ValidationResult Validate()
    {
        if (Finding is <= 0) return ValidationResult.Error("--finding must be a finding number from 1 on, as the doctor printed it");
        if (Class is not null && ParseClass(Class) is null) return ValidationResult.Error($"--class: unknown class '{Class}'; one of {string.Join(", ", ClassNames.All.Select(c => c.Id()))}");
        if (OlderThan is not null && !DurationText.TryParse(OlderThan, out _)) return ValidationResult.Error($"--older-than: '{OlderThan}' is not a duration (e.g. 30s, 5m, 2h)");
        if (Limit is <= 0) return ValidationResult.Error("--limit must be 1 or more");
        foreach (string s in States)
        {
            if (!TcpStateNames.TryParse(s, out _)) return ValidationResult.Error($"--state: unknown state '{s}' (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, LAST_ACK, CLOSING, TIME_WAIT, LISTEN…)");
        }

        if (ParseRate(Rate) is null) return ValidationResult.Error($"--rate: '{Rate}' is not a rate; write N/s with N from 1 to 1000000 (e.g. 200/s)");
        if (Remote is not null && !RemoteLooksValid(Remote)) return ValidationResult.Error($"--remote: '{Remote}' is not an address or address:port");
        if (Finding is not null && AllNetns) return ValidationResult.Error("--finding numbers one namespace's findings; drop --all-netns (use --pid to choose the namespace of a process)");
        return base.Validate();
    }

    /// <summary>The selection these options describe.</summary>
    internal ActionSelection Selection()
    {
        var states = new HashSet<TcpState>();
        foreach (string s in States)
        {
            if (TcpStateNames.TryParse(s, out var state)) states.Add(state);
        }

        return new ActionSelection
        {
            Action = Action,
            Finding = Finding,
            Class = Class is null ? null : ParseClass(Class),
            Pid = Pid,
            Port = Port,
            Remote = Remote,
            OlderThan = MinimumQuiet,
            Limit = Limit,
            States = states,
        };
    }

    /// <summary>The selection as options, for the audit and for the command to repeat with --apply.</summary>
    internal string SelectionText()
    {
        var parts = new List<string>();
        if (AllNetns) parts.Add("--all-netns");
        if (Finding is int f) parts.Add($"--finding {f}");
        if (Class is not null) parts.Add($"--class {Class}");
        if (Pid is int p) parts.Add($"--pid {p}");
        if (Port is int port) parts.Add($"--port {port}");
        if (Remote is not null) parts.Add($"--remote {Remote}");
        if (OlderThan is not null) parts.Add($"--older-than {OlderThan}");
        foreach (string s in States) parts.Add($"--state {s}");
        if (Limit is int l) parts.Add($"--limit {l}");
        if (Rate != "1000/s") parts.Add($"--rate {Rate}");
        return string.Join(' ', parts);
    }

    internal static SocketClass? ParseClass(string text) =>
        ClassNames.All.Where(c => string.Equals(c.Id(), text.Trim(), StringComparison.OrdinalIgnoreCase)).Select(c => (SocketClass?)c).FirstOrDefault();

    /// <summary>"N/s" (or a bare N) as sockets a second; null when it is not one.</summary>
    internal static double? ParseRate(string text)
    {
        string number = text.Trim();
        if (number.EndsWith("/s", StringComparison.OrdinalIgnoreCase)) number = number[..^2];
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double rate) && rate >= 1 && rate <= 1_000_000 ? rate : null;
    }

    private static bool RemoteLooksValid(string text)
    {
        if (System.Net.IPAddress.TryParse(text, out _)) return true;
        if (System.Net.IPEndPoint.TryParse(text, out var ep)) return ep.Port > 0 || text.EndsWith(":0", StringComparison.Ordinal);
        return false;
    }

    /// <summary>The run's options for <see cref="ActionRunner"/>.</summary>
    internal RunOptions ToRunOptions(Action<RunProgress>? progress) => new()
    {
        RatePerSecond = ParseRate(Rate) ?? RunOptions.DefaultRatePerSecond,
        LedgerPath = LedgerPath,
        SyslogPath = Syslog.Length == 0 || Syslog == "none" ? null : Syslog,
        SelectionText = SelectionText(),
        Progress = progress,
    };
}
