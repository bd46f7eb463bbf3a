using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Teardown.Cli.Commands;

/// <summary>
/// What every command that looks at this host shares (<c>doctor</c>, <c>watch</c>): which
/// namespaces, which process, which port — declared, described and validated once.
/// </summary>
public abstract class HostSettings : CommandSettings
{
    [CommandOption("--all-netns")]
    [Description("Every network namespace on the host (containers), not only this one. Needs root.")]
    public bool AllNetns { get; init; }

    [CommandOption("--pid <PID>")]
    [Description("Only sockets held by this process (in its own network namespace).")]
    public int? Pid { get; init; }

    [CommandOption("--port <PORT>")]
    [Description("Only sockets whose local or remote port is PORT.")]
    public int? Port { get; init; }

    public override ValidationResult Validate()
    {
        if (Pid is <= 0) return ValidationResult.Error("--pid must be a positive process id");
        if (Port is < 0 or > 65535) return ValidationResult.Error("--port must be 0–65535");
        return ValidationResult.Success();
    }

    /// <summary>Why the command cannot start (a --pid naming no process), or null.</summary>
    internal string? Problem() => Pid is int wanted && !Directory.Exists($"/proc/{wanted}") ? $"no process with pid {wanted}" : null;
}

/// <summary>
/// <see cref="HostSettings"/> plus how a report is written (<c>doctor</c>): --json, --details,
/// --save, --wide.
/// </summary>
public abstract class ReportSettings : HostSettings
{
    [CommandOption("--json")]
    [Description("Write the report as JSON (schema teardown.doctor/2, docs/schema/doctor-report.schema.json) instead of tables.")]
    public bool Json { get; init; }

    [CommandOption("--details <N>")]
    [Description("Explain at most N findings in full (default 6); the table lists all.")]
    [DefaultValue(6)]
    public int Details { get; init; } = 6;

    [CommandOption("--save <FILE>")]
    [Description("Also save what was read (sockets, owners, settings) as a capture FILE, to analyse elsewhere with --input.")]
    public string? Save { get; init; }

    [CommandOption("--wide")]
    [Description("Do not fit tables to the terminal (or to 80 columns in a pipe): lines as long as their content.")]
    public bool Wide { get; init; }

    public override ValidationResult Validate()
    {
        if (Details < 0) return ValidationResult.Error("--details must be 0 or more");
        if (Save is not null && AllNetns) return ValidationResult.Error("--save takes one namespace; drop --all-netns or use --pid");
        return base.Validate();
    }
}
