using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Cli.Output;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Rendering;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Cli.Commands;

/// <summary><c>teardown run FILE... [--target model|kernel] [--json] [--quiet]</c>.</summary>
public sealed class RunCommand(Terminal terminal) : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : ScenarioSettings
    {
        [CommandOption("-t|--target <TARGET>")]
        [Description("Where to play: [bold]model[/] (deterministic, virtual time, default) or [bold]kernel[/] (this machine's Linux in private namespaces, real time, needs root).")]
        [DefaultValue("model")]
        public string Target { get; init; } = "model";

        [CommandOption("--json")]
        [Description("Write the trace and verdicts as JSON lines (one object per line) instead of a timeline.")]
        public bool Json { get; init; }

        [CommandOption("--svg <FILE>")]
        [Description("Also draw the run as a ladder diagram (SVG): one line per host, an arrow per segment, states, timers as brackets, calls. One scenario only.")]
        public string? Svg { get; init; }

        [CommandOption("--html <FILE>")]
        [Description("Also write the ladder diagram as a self-contained, printable HTML page. One scenario only.")]
        public string? Html { get; init; }

        [CommandOption("-q|--quiet")]
        [Description("Print only failed expectations and the summary, not the timeline.")]
        public bool Quiet { get; init; }

        public override ValidationResult Validate()
        {
            if (Target is not ("model" or "kernel")) return ValidationResult.Error($"--target must be model or kernel, not '{Target}'");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!ScenarioFiles.TryLoad(terminal, settings.Files, out var scenarios)) return ExitCodes.Usage;
        var console = terminal.Out;
        if ((settings.Svg ?? settings.Html) is not null && scenarios.Count != 1)
        {
            terminal.Fail($"--svg and --html draw one scenario; {scenarios.Count} were given");
            return ExitCodes.Usage;
        }

        IScenarioTarget target = TargetFactory.Create(settings.Target, settings.Seed);
        int failedScenarios = 0, failedChecks = 0, passedChecks = 0;
        foreach (var scenario in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ScenarioTrace trace = await target.PlayAsync(scenario, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<Verdict> verdicts = ExpectationChecker.Check(trace);
            int failed = verdicts.Count(v => !v.Passed);
            if (!Pictures.TryWrite(terminal, settings.Svg, () => LadderSvg.Render(trace)) || !Pictures.TryWrite(terminal, settings.Html, () => LadderHtml.Render(trace)))
            {
                return ExitCodes.Usage;
            }

            failedChecks += failed;
            passedChecks += verdicts.Count - failed;
            if (failed > 0) failedScenarios++;
            if (settings.Json)
            {
                JsonTraceWriter.Write(trace, verdicts, terminal.Text);
                terminal.Flush();
                continue;
            }

            if (!settings.Quiet)
            {
                TimelineRenderer.Render(trace, verdicts, terminal.Text);
            }

            foreach (var v in verdicts.Where(v => !v.Passed))
            {
                console.MarkupLineInterpolated($"[red]FAIL[/] {scenario.FileName}:{v.Line.Where.Line}: {v.Line.Text}");
                console.MarkupLineInterpolated($"     expected {v.Expected}");
                console.MarkupLineInterpolated($"     observed {v.Observed}");
            }

            if (settings.Quiet && failed == 0)
            {
                console.MarkupLineInterpolated($"[green]ok[/]   {scenario.FileName} ({verdicts.Count} checks)");
            }

            terminal.Flush(); // each scenario's result as soon as it is known
        }

        if (!settings.Json)
        {
            string colour = failedScenarios == 0 ? "green" : "red";
            console.MarkupLineInterpolated($"[{colour}]{scenarios.Count - failedScenarios} of {scenarios.Count} scenarios passed[/] on the {target.Name} ({passedChecks} checks passed, {failedChecks} failed)");
        }

        return failedScenarios == 0 ? ExitCodes.Ok : ExitCodes.Findings;
    }
}
