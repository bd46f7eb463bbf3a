using System.ComponentModel;
using System.Diagnostics;
using Teardown.Cli.Output;
using Teardown.Lab.Differential;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Lab;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown diff FILE...</c>: plays every scenario on the model and on the kernel and compares the two
/// traces. The kernel is the oracle: a divergence means the model (or the scenario) is wrong.
/// </summary>
public sealed class DiffCommand(Terminal terminal) : AsyncCommand<DiffCommand.Settings>
{
    public sealed class Settings : ScenarioSettings
    {
        [CommandOption("--json")]
        [Description("JSON lines: per scenario a [bold]scenario[/] object, then its [bold]summary[/] and [bold]divergence[/] objects.")]
        public bool Json { get; init; }

        [CommandOption("-j|--jobs <N>")]
        [Description("Scenarios played on the kernel at once, each in its own namespaces (they mostly wait on timers).")]
        [DefaultValue(8)]
        public int Jobs { get; init; } = 8;

        [CommandOption("--recheck")]
        [Description("Play each divergent scenario again, alone, and report the ones that then agree as [bold]agrees alone[/] (diverged only beside others: the lab's timing under load, not the model).")]
        public bool Recheck { get; init; }

        public override ValidationResult Validate() =>
            Jobs is < 1 or > 64 ? ValidationResult.Error("--jobs must be between 1 and 64") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!ScenarioFiles.TryLoad(terminal, settings.Files, out var scenarios)) return ExitCodes.Usage;
        var clock = Stopwatch.StartNew();
        var results = await DiffRunner.RunAsync(scenarios, settings.Seed, settings.Jobs, (n, r) =>
        {
            string verdict = r.Error is not null ? "error" : r.Agrees ? "agrees" : "DIVERGES";
            terminal.Note(string.Create(CultureInfo.InvariantCulture, $"[{n}/{scenarios.Count}] {verdict,-8} {r.Scenario.FileName} ({r.Elapsed.TotalSeconds:F1} s)"));
        }, cancellationToken).ConfigureAwait(false);

        if (settings.Recheck && results.Any(r => r.Error is null && !r.Agrees))
        {
            results = await DiffRunner.RecheckAsync(results, settings.Seed, r =>
                terminal.Note(string.Create(CultureInfo.InvariantCulture, $"[re-run alone] {(r.Agrees ? "agrees" : "DIVERGES"),-8} {r.Scenario.FileName} ({r.Elapsed.TotalSeconds:F1} s)")),
                cancellationToken).ConfigureAwait(false);
        }

        if (settings.Json) WriteJson(results);
        else Render(results, clock.Elapsed);
        return results.All(r => r.Agrees) ? ExitCodes.Ok : ExitCodes.Findings;
    }

    private void Render(IReadOnlyList<ScenarioDiff> results, TimeSpan wall)
    {
        var console = terminal.Out;
        foreach (var r in results.Where(r => r.Error is not null || r.Comparison?.Agrees == false))
        {
            console.WriteLine();
            if (r.Error is not null)
            {
                console.MarkupLineInterpolated($"[red]error[/] {r.Scenario.FileName}: {r.Error}");
                continue;
            }

            ComparisonRenderer.Render(r.Comparison!, r.Scenario, terminal.Text);
        }

        if (console.Profile.Width < 120)
        {
            // Narrow (a pipe, an 80-column terminal): one line per scenario with the path last, so a
            // long path runs on instead of being cut, and the columns stay where awk expects them.
            // Written as plain text: Spectre would wrap a line longer than the width at its spaces.
            terminal.Text.WriteLine("verdict       divergences  kernel-failed     time  scenario");
            foreach (var r in results)
            {
                terminal.Text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Verdict(r).Text,-12}  {r.Comparison?.Divergences.Count ?? 0,11}  {r.KernelFailures,13}  {r.Elapsed.TotalSeconds,6:F1} s  {r.Scenario.FileName}"));
            }
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("scenario").NoWrap()).AddColumn(new TableColumn("model vs kernel").NoWrap()).AddColumn(new TableColumn("divergences").RightAligned())
                .AddColumn(new TableColumn("kernel expectations failed").RightAligned()).AddColumn(new TableColumn("time").RightAligned().NoWrap());
            foreach (var r in results)
            {
                var (text, colour) = Verdict(r);
                table.AddRow(
                    Markup.Escape(r.Scenario.FileName),
                    $"[{colour}]{text}[/]",
                    (r.Comparison?.Divergences.Count ?? 0).ToString(CultureInfo.InvariantCulture),
                    r.KernelFailures.ToString(CultureInfo.InvariantCulture),
                    r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s");
            }

            console.Write(table);
        }

        var alone = results.Where(r => r.DivergedFirst is not null).Select(r => r.Scenario.FileName).ToList();
        if (alone.Count > 0)
        {
            console.MarkupLineInterpolated(
                $"[yellow]{alone.Count} diverged beside other scenarios and agreed when played alone[/] ({string.Join(", ", alone)}): the lab's timing under load, not the model.");
        }

        int agree = results.Count(r => r is { Error: null, Comparison.Agrees: true });
        console.MarkupLineInterpolated(
            $"{agree} of {results.Count} scenarios: model and kernel agree. Wall time {wall.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s.");
    }

    private static (string Text, string Colour) Verdict(ScenarioDiff r) =>
        r.Error is not null ? ("error", "red") : !r.Comparison!.Agrees ? ("diverges", "red")
        : r.DivergedFirst is not null ? ("agrees alone", "yellow") : ("agrees", "green");

    private void WriteJson(IReadOnlyList<ScenarioDiff> results)
    {
        foreach (var r in results)
        {
            using (var buffer = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteString("type", "scenario");
                    w.WriteString("file", r.Scenario.FileName);
                    w.WriteBoolean("agrees", r.Error is null && r.Comparison!.Agrees);
                    w.WriteNumber("divergences", r.Comparison?.Divergences.Count ?? 0);
                    w.WriteNumber("kernelExpectationsFailed", r.KernelFailures);
                    w.WriteNumber("seconds", Math.Round(r.Elapsed.TotalSeconds, 3));
                    if (r.DivergedFirst is not null) w.WriteBoolean("agreesOnlyAlone", true);
                    if (r.Error is not null) w.WriteString("error", r.Error);
                    w.WriteEndObject();
                }

                terminal.Text.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }

            if (r.Comparison is not null) ComparisonJsonWriter.Write(r.Comparison, terminal.Text);
        }
    }

}
