using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Teardown.Cli.Commands;

/// <summary>The arguments every scenario command shares: the files, and the model's seed.</summary>
public abstract class ScenarioSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("Scenario files (.scn) or directories (every .scn below them, in name order). Shell globs such as scenarios/seed/*.scn work.")]
    public string[] Files { get; init; } = [];

    [CommandOption("--seed <SEED>")]
    [Description("Seed for the model's ISNs and ephemeral ports (same seed, same trace).")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    public override ValidationResult Validate() =>
        Files.Length == 0 ? ValidationResult.Error("give at least one scenario file or directory") : ValidationResult.Success();
}
