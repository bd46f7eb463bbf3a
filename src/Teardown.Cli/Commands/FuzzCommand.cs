using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Cli.Output;
using Teardown.Lab;
using Teardown.Lab.Differential;
using Teardown.Scenarios.Fuzzing;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown fuzz</c>: differential testing at scale. Generates random valid scenarios, plays each on the
/// model and on the kernel, confirms a divergence by playing it again alone, shrinks it, and writes the
/// minimal scenario to the output directory (issue 11, part 2).
/// </summary>
public sealed class FuzzCommand(Terminal terminal) : AsyncCommand<FuzzCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-n|--count <N>")]
        [Description("Scenarios to play. Each is generated from its own seed (the first is --seed, then +1, +2, …).")]
        [DefaultValue(100)]
        public int Count { get; init; } = 100;

        [CommandOption("--seed <SEED>")]
        [Description("The first scenario's seed. Without it a fresh one is chosen and printed, so that any run can be repeated exactly.")]
        public ulong? Seed { get; init; }

        [CommandOption("-j|--jobs <N>")]
        [Description("Scenarios played on the kernel at once, each in its own namespaces. Keep it low on a small or busy machine: a late lab is reported as not reproduced, not as a model bug, but it wastes runs.")]
        [DefaultValue(2)]
        public int Jobs { get; init; } = 2;

        [CommandOption("-o|--out <DIR>")]
        [Description("Where each confirmed divergence is written as a minimal .scn (and the scenario it was shrunk from, .original.scn).")]
        [DefaultValue("fuzz-findings")]
        public string Out { get; init; } = "fuzz-findings";

        [CommandOption("--budget <DURATION>")]
        [Description("Stop starting new scenarios after this much wall time (e.g. 10m, 1h): whichever comes first, --count or --budget.")]
        public string? Budget { get; init; }

        [CommandOption("-t|--target <TARGET>")]
        [Description("[bold]diff[/] (default): model against the real kernel (root). [bold]model[/]: the model alone, checked for its own properties — the same seed gives the same trace, timers make progress, counters follow the transitions, every orphan ends once every process has exited. Fast, no root.")]
        [DefaultValue("diff")]
        public string Target { get; init; } = "diff";

        [CommandOption("--resolution <DURATION>")]
        [Description("The smallest gap between lines, and between a line and what the model says the kernel does near it: the lab's proven timing resolution.")]
        [DefaultValue("50ms")]
        public string Resolution { get; init; } = "50ms";

        [CommandOption("--max-duration <DURATION>")]
        [Description("The longest timeline generated. Long ones reach the 60 s timers (TIME_WAIT, FIN_WAIT2) but take that long to play on the kernel.")]
        [DefaultValue("90s")]
        public string MaxDuration { get; init; } = "90s";

        [CommandOption("--emit <DIR>")]
        [Description("Only generate: write the --count scenarios to DIR as .scn files (settled, with the model's answers written in) and play nothing. [bold]teardown diff DIR[/] or [bold]teardown run DIR[/] plays them later.")]
        public string? Emit { get; init; }

        [CommandOption("--shrink-tries <N>")]
        [Description("Candidates tried when shrinking one divergence (each one a kernel run of the candidate).")]
        [DefaultValue(40)]
        public int ShrinkTries { get; init; } = 40;

        public override ValidationResult Validate()
        {
            if (Count < 1) return ValidationResult.Error("--count must be at least 1");
            if (Jobs is < 1 or > 64) return ValidationResult.Error("--jobs must be between 1 and 64");
            if (Target is not ("diff" or "model")) return ValidationResult.Error($"--target must be diff or model, not '{Target}'");
            if (Budget is not null && !DurationText.TryParse(Budget, out _)) return ValidationResult.Error($"--budget '{Budget}' is not a duration such as 30s, 10m or 1h");
            if (!DurationText.TryParse(Resolution, out TimeSpan r) || r < TimeSpan.FromMilliseconds(1) || r > TimeSpan.FromSeconds(1))
            {
                return ValidationResult.Error($"--resolution must be a duration between 1ms and 1s, not '{Resolution}'");
            }

            if (!DurationText.TryParse(MaxDuration, out TimeSpan d) || d < TimeSpan.FromSeconds(1) || d > TimeSpan.FromHours(1))
            {
                return ValidationResult.Error($"--max-duration must be a duration between 1s and 1h, not '{MaxDuration}'");
            }

            return ShrinkTries < 0 ? ValidationResult.Error("--shrink-tries must be 0 or more") : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ulong seed = settings.Seed ?? (ulong)Random.Shared.NextInt64(1, 1_000_000_000);
        DurationText.TryParse(settings.Resolution, out TimeSpan resolution);
        DurationText.TryParse(settings.MaxDuration, out TimeSpan maxDuration);
        TimeSpan? budget = settings.Budget is null ? null : DurationText.TryParse(settings.Budget, out TimeSpan b) ? b : null;
        var generation = new FuzzOptions { Resolution = resolution, MaxDuration = maxDuration };
        bool modelOnly = settings.Target == "model";
        var plan = new FuzzPlan(settings.Count, seed, settings.Jobs, budget, modelOnly, generation, settings.ShrinkTries);
        if (settings.Emit is not null) return Emit(settings.Emit, plan);
        if (!modelOnly) LabPrerequisites.Ensure(); // before any output: without root, one line and exit 3
        terminal.Note(string.Create(CultureInfo.InvariantCulture,
            $"teardown fuzz: {settings.Count} scenarios from seed {seed} ({(modelOnly ? "model properties" : $"model against kernel, {settings.Jobs} at once")}); repeat with --seed {seed}"));

        var written = new List<string>();
        using var interruption = new Interruption(cancellationToken);
        FuzzReport report = await new FuzzCampaign(plan, terminal.Note, f =>
        {
            written.Add(Write(f, settings));
            terminal.Note($"{f.Seed}: written to {written[^1]}");
        }).RunAsync(interruption.Token).ConfigureAwait(false);
        Render(report, written, modelOnly);
        return report.Findings.Count > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }

    /// <summary>--emit: the scenarios a campaign would play, as files; seeds the race guard cannot settle are skipped as in a campaign.</summary>
    private int Emit(string directory, FuzzPlan plan)
    {
        Directory.CreateDirectory(directory);
        int written = 0;
        for (ulong seed = plan.Seed; written < plan.Count; seed++)
        {
            FuzzCase? c = FuzzCase.Make(seed, plan.Generation);
            if (c is null) continue;
            File.WriteAllText(Path.Combine(directory, FuzzCase.FileName(seed)), c.Draft.Render([string.Create(CultureInfo.InvariantCulture,
                $"Generated by teardown fuzz --seed {seed}; results and expectations are the model's answers.")]));
            written++;
        }

        terminal.Out.MarkupLineInterpolated($"{written} scenarios written to {directory}.");
        return ExitCodes.Ok;
    }

    /// <summary>A finding as DIR/fuzz-SEED.scn (minimal, with the divergence in its comments) and DIR/fuzz-SEED.original.scn.</summary>
    private static string Write(FuzzFinding f, Settings settings)
    {
        Directory.CreateDirectory(settings.Out);
        string name = Path.Combine(settings.Out, Path.GetFileNameWithoutExtension(FuzzCase.FileName(f.Seed)));
        string again = string.Create(CultureInfo.InvariantCulture,
            $"teardown fuzz --seed {f.Seed} --count 1 --target {settings.Target} --resolution {settings.Resolution} --max-duration {settings.MaxDuration}");
        string[] comments =
        [
            $"Found by teardown fuzz ({again}), confirmed by playing it again alone, then shrunk ({f.Original.Lines.Count} lines to {f.Minimal.Lines.Count}, {f.ShrinkTries} candidates).",
            "Results and expectations below are the model's answers; the kernel differs:",
            f.Description,
        ];
        File.WriteAllText(name + ".scn", f.Minimal.Render(comments));
        File.WriteAllText(name + ".original.scn", f.Original.Render([$"The scenario {name}.scn was shrunk from.", .. comments[1..]]));
        return name + ".scn";
    }

    private void Render(FuzzReport report, IReadOnlyList<string> written, bool modelOnly)
    {
        var console = terminal.Out;
        for (int i = 0; i < report.Findings.Count; i++)
        {
            FuzzFinding f = report.Findings[i];
            // Plain text, never wrapped: a divergence is one line for grep, however wide.
            terminal.Text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(modelOnly ? "property fails" : "divergence")} seed {f.Seed}: {f.Description}"));
            terminal.Text.WriteLine($"  minimal scenario ({N(f.Minimal.Lines.Count)} lines): {written[i]}");
        }

        if (!modelOnly)
        {
            var byAspect = report.Findings.GroupBy(f => f.Aspect).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("aspect").AddColumn(new TableColumn("compared").RightAligned()).AddColumn(new TableColumn("diverged").RightAligned())
                .AddColumn(new TableColumn("confirmed findings").RightAligned());
            foreach (var a in report.Aspects)
            {
                table.AddRow(a.Aspect, N(a.Compared), N(a.Diverged), N(byAspect.GetValueOrDefault(a.Aspect)));
            }

            console.Write(table);
        }

        string verdict = modelOnly
            ? $"{N(report.Agreed)} of {N(report.Played)} scenarios: every model property holds"
            : $"{N(report.Agreed + report.NotReproduced)} of {N(report.Played)} scenarios: model and kernel agree";
        string tail = (modelOnly ? "" : $", {N(report.NotReproduced)} not reproduced (lab timing: not again side by side, or not alone), {N(report.LabErrors)} lab errors, {N(report.AgreedImprecise)} agreed beyond the lab's 1-ms bounds (runs side by side)")
            + $", {N(report.Unsettled)} generated scenarios skipped (racy, or beyond the lab).";
        // Plain text, never wrapped: ./run-tests reads these lines with grep and awk.
        terminal.Text.WriteLine($"{verdict}. {N(report.Findings.Count)} confirmed {(modelOnly ? "failures" : "divergences")}{tail}");
        terminal.Text.WriteLine(
            $"Wall time {report.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s, {report.PerMinute.ToString("F1", CultureInfo.InvariantCulture)} scenarios/min.");
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
