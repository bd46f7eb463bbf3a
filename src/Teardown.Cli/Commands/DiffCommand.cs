using System.ComponentModel;
using System.Diagnostics;
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
public sealed class DiffCommand(IAnsiConsole console) : AsyncCommand<DiffCommand.Settings>
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

        public override ValidationResult Validate() =>
            Jobs is < 1 or > 64 ? ValidationResult.Error("--jobs must be between 1 and 64") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenarios = ScenarioFiles.Load(settings.Files, out var diagnostics);
        if (diagnostics.Count > 0)
        {
            foreach (var d in diagnostics) Console.Error.WriteLine(d.ToString());
            Console.Error.WriteLine($"{diagnostics.Count} error(s); nothing was run.");
            return ExitCodes.Usage;
        }

        LabPrerequisites.Ensure();
        var model = new ModelTarget(settings.Seed);
        var kernel = new KernelTarget();
        var results = new DiffResult?[scenarios.Count];
        int done = 0;
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(settings.Jobs);

        // The longest timelines start first: the 60-second TIME_WAIT and 100-second crash scenarios then
        // overlap with everything else instead of running alone at the end.
        int[] startOrder = Enumerable.Range(0, scenarios.Count).OrderByDescending(i => Duration(scenarios[i])).ToArray();
        var tasks = startOrder.Select(index => (Scenario: scenarios[index], Index: index)).Select(async item =>
        {
            (Scenario scenario, int index) = item;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var started = Stopwatch.StartNew();
                var modelTrace = model.Play(scenario, cancellationToken);
                var kernelTrace = await kernel.PlayAsync(scenario, cancellationToken).ConfigureAwait(false);
                var comparison = TraceComparer.Compare(modelTrace, kernelTrace);
                var kernelFailures = ExpectationChecker.Check(kernelTrace).Count(v => !v.Passed);
                results[index] = new DiffResult(scenario, comparison, kernelFailures, started.Elapsed, null);
            }
            catch (Exception ex) when (ex is LabRunException or IOException or InvalidOperationException)
            {
                results[index] = new DiffResult(scenario, null, 0, TimeSpan.Zero, ex.Message);
            }
            finally
            {
                gate.Release();
                int n = Interlocked.Increment(ref done);
                var r = results[index];
                string verdict = r?.Error is not null ? "error" : r?.Comparison?.Agrees == true ? "agrees" : "DIVERGES";
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{n}/{scenarios.Count}] {verdict,-8} {scenario.FileName} ({r?.Elapsed.TotalSeconds ?? 0:F1} s)"));
            }
        });
        await Task.WhenAll(tasks).ConfigureAwait(false);

        if (settings.Json) WriteJson(results!);
        else Render(results!, clock.Elapsed);
        bool clean = results.All(r => r is { Error: null, Comparison.Agrees: true });
        return clean ? ExitCodes.Ok : ExitCodes.Findings;
    }

    private static TimeSpan Duration(Scenario scenario) => scenario.Timeline.Count == 0 ? TimeSpan.Zero : scenario.Timeline.Max(l => l.At);

    private void Render(IReadOnlyList<DiffResult> results, TimeSpan wall)
    {
        foreach (var r in results.Where(r => r.Error is not null || r.Comparison?.Agrees == false))
        {
            console.WriteLine();
            if (r.Error is not null)
            {
                console.MarkupLineInterpolated($"[red]error[/] {r.Scenario.FileName}: {r.Error}");
                continue;
            }

            ComparisonRenderer.Render(r.Comparison!, r.Scenario, Console.Out);
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("scenario").AddColumn("model vs kernel").AddColumn(new TableColumn("divergences").RightAligned())
            .AddColumn(new TableColumn("kernel expectations failed").RightAligned()).AddColumn(new TableColumn("time").RightAligned());
        foreach (var r in results)
        {
            string verdict = r.Error is not null ? "[red]error[/]" : r.Comparison!.Agrees ? "[green]agrees[/]" : "[red]diverges[/]";
            table.AddRow(
                Markup.Escape(r.Scenario.FileName),
                verdict,
                (r.Comparison?.Divergences.Count ?? 0).ToString(CultureInfo.InvariantCulture),
                r.KernelFailures.ToString(CultureInfo.InvariantCulture),
                r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s");
        }

        console.Write(table);
        int agree = results.Count(r => r is { Error: null, Comparison.Agrees: true });
        console.MarkupLineInterpolated(
            $"{agree} of {results.Count} scenarios: model and kernel agree. Wall time {wall.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s.");
    }

    private static void WriteJson(IReadOnlyList<DiffResult> results)
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
                    if (r.Error is not null) w.WriteString("error", r.Error);
                    w.WriteEndObject();
                }

                Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }

            if (r.Comparison is not null) ComparisonJsonWriter.Write(r.Comparison, Console.Out);
        }
    }

    private sealed record DiffResult(Scenario Scenario, Comparison? Comparison, int KernelFailures, TimeSpan Elapsed, string? Error);
}
