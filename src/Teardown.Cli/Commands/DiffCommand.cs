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
/// traces. The kernel is the oracle: a divergence means the model (or the scenario) is wrong — when the lab
/// kept time. A kernel run outside the lab's precision bounds is <em>lab-imprecise</em>: not judged.
/// Exit codes: 0 every scenario agrees; 1 a divergence or an error; 3 none of those but some runs were
/// lab-imprecise (the kernel could not judge them, as when the lab cannot run at all).
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

        [CommandOption("--html <FILE>")]
        [Description("Also write the model's and the kernel's ladder diagrams side by side, the divergences listed and highlighted, as one self-contained page. One scenario only.")]
        public string? Html { get; init; }

        [CommandOption("--recheck")]
        [Description("Play each divergent, lab-imprecise or lab-error scenario again, alone, and report the ones that then agree as [bold]agrees alone[/] (diverged or failed only beside others: the lab under load, not the model).")]
        public bool Recheck { get; init; }

        public override ValidationResult Validate() =>
            Jobs is < 1 or > 64 ? ValidationResult.Error("--jobs must be between 1 and 64") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!ScenarioFiles.TryLoad(terminal, settings.Files, out var scenarios)) return ExitCodes.Usage;
        if (settings.Html is not null && scenarios.Count != 1)
        {
            terminal.Fail($"--html draws one scenario; {scenarios.Count} were given");
            return ExitCodes.Usage;
        }

        var clock = Stopwatch.StartNew();
        var results = await DiffRunner.RunAsync(scenarios, settings.Seed, settings.Jobs, (n, r) =>
        {
            string verdict = r.Verdict switch { DiffVerdict.Error => "error", DiffVerdict.Agrees => "agrees", DiffVerdict.LabImprecise => "lab-imprecise", _ => "DIVERGES" };
            terminal.Note(string.Create(CultureInfo.InvariantCulture, $"[{n}/{scenarios.Count}] {verdict,-8} {r.Scenario.FileName} ({r.Elapsed.TotalSeconds:F1} s)"));
        }, cancellationToken).ConfigureAwait(false);

        if (settings.Recheck && results.Any(r => r.Verdict is DiffVerdict.Diverges or DiffVerdict.LabImprecise or DiffVerdict.Error))
        {
            results = await DiffRunner.RecheckAsync(results, settings.Seed, r =>
                terminal.Note(string.Create(CultureInfo.InvariantCulture, $"[re-run alone] {Verdict(r).Text,-8} {r.Scenario.FileName} ({r.Elapsed.TotalSeconds:F1} s)")),
                cancellationToken).ConfigureAwait(false);
        }

        if (settings.Json) WriteJson(results);
        else Render(results, clock.Elapsed);
        // A lab-imprecise run is not a divergence (a busy machine must not pass for a model bug) nor a pass: with no
        // divergence and no error, the kernel could not judge those runs — exit 3, as when the lab cannot run.
        if (settings.Html is string html && results[0] is { Traces: var (modelTrace, kernelTrace), Comparison: { } comparison }
            && !Pictures.TryWrite(terminal, html, () => Teardown.Scenarios.Rendering.DiffHtml.Render(modelTrace, kernelTrace, comparison)))
        {
            return ExitCodes.Usage;
        }

        if (results.Any(r => r.Verdict is DiffVerdict.Diverges or DiffVerdict.Error)) return ExitCodes.Findings;
        return results.Any(r => r.LabImprecise) ? ExitCodes.Permission : ExitCodes.Ok;
    }

    private void Render(IReadOnlyList<ScenarioDiff> results, TimeSpan wall)
    {
        var console = terminal.Out;
        foreach (var r in results.Where(r => r.Error is not null || r.Comparison?.Agrees == false || r.LabImprecise))
        {
            console.WriteLine();
            if (r.Error is not null)
            {
                console.MarkupLineInterpolated($"[red]error[/] {r.Scenario.FileName}: {r.Error}");
                continue;
            }

            if (r.LabImprecise)
            {
                // What the lab measured of itself: its divergences, if any, are not the model's to answer for.
                console.MarkupLineInterpolated($"[yellow]lab-imprecise:[/] {r.Scenario.FileName}: {r.Precision!.Exceeded} (not judged; {r.Precision})");
                if (r.Comparison?.Agrees != false) continue;
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

        foreach (var r in results.Where(r => r.LabErrorFirst is not null))
        {
            console.MarkupLineInterpolated(
                $"[yellow]{r.Scenario.FileName}: the lab failed beside other scenarios[/] ({r.LabErrorFirst}); played alone: {Verdict(r).Text}.");
        }

        int agree = results.Count(r => r.Verdict == DiffVerdict.Agrees);
        console.MarkupLineInterpolated(
            $"{agree} of {results.Count} scenarios: model and kernel agree. Wall time {wall.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s.");
        int imprecise = results.Count(r => r.LabImprecise);
        if (imprecise > 0)
        {
            console.MarkupLineInterpolated(
                $"[yellow]{imprecise} lab-imprecise[/]: the lab did not keep time within its bounds (a busy machine?); not judged — neither a divergence nor a pass.");
        }
    }

    private static (string Text, string Colour) Verdict(ScenarioDiff r) => r.Verdict switch
    {
        DiffVerdict.Error => ("error", "red"),
        DiffVerdict.LabImprecise => ("lab-imprecise", "yellow"),
        DiffVerdict.Diverges => ("diverges", "red"),
        _ => r.DivergedFirst is not null || r.LabErrorFirst is not null ? ("agrees alone", "yellow") : ("agrees", "green"),
    };

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
                    w.WriteString("verdict", Verdict(r).Text);
                    if (r.Precision is { } p)
                    {
                        // What the lab measured of itself (µs): line lateness and wire latency beyond the link delay.
                        w.WriteStartObject("precision");
                        w.WriteBoolean("precise", p.Precise);
                        w.WriteNumber("lineP50Us", Math.Round(p.Lines.P50Us));
                        w.WriteNumber("lineP99Us", Math.Round(p.Lines.P99Us));
                        w.WriteNumber("lineMaxUs", Math.Round(p.Lines.MaxUs));
                        w.WriteNumber("wireP50Us", Math.Round(p.Wire.P50Us));
                        w.WriteNumber("wireP99Us", Math.Round(p.Wire.P99Us));
                        w.WriteNumber("wireMaxUs", Math.Round(p.Wire.MaxUs));
                        if (p.Exceeded is { } why) w.WriteString("exceeded", why);
                        w.WriteEndObject();
                    }

                    w.WriteNumber("divergences", r.Comparison?.Divergences.Count ?? 0);
                    w.WriteNumber("kernelExpectationsFailed", r.KernelFailures);
                    w.WriteNumber("seconds", Math.Round(r.Elapsed.TotalSeconds, 3));
                    if (r.DivergedFirst is not null || r.LabErrorFirst is not null) w.WriteBoolean("agreesOnlyAlone", true);
                    if (r.LabErrorFirst is string first) w.WriteString("labErrorFirst", first);
                    if (r.Error is not null) w.WriteString("error", r.Error);
                    w.WriteEndObject();
                }

                terminal.Text.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }

            if (r.Comparison is not null) ComparisonJsonWriter.Write(r.Comparison, terminal.Text);
        }
    }

}
