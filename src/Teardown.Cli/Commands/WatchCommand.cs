using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;
using Teardown.Doctor.Watch;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown watch [--interval 2s] [--count N]</c>: counts per class, growth per minute and
/// exhaustion forecasts, refreshed live. Ctrl-C stops it and the live display restores the
/// terminal; when stdout is not a terminal (or with --plain) it prints one block per sample.
/// </summary>
public sealed class WatchCommand(IAnsiConsole console) : AsyncCommand<WatchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--interval <DURATION>")]
        [Description("Time between samples: 2s (default), 500ms, 1m.")]
        [DefaultValue("2s")]
        public string Interval { get; init; } = "2s";

        [CommandOption("-n|--count <N>")]
        [Description("Stop after N samples (default: until Ctrl-C).")]
        public int? Count { get; init; }

        [CommandOption("--plain")]
        [Description("Print one block per sample instead of a live view (automatic when stdout is not a terminal).")]
        public bool Plain { get; init; }

        [CommandOption("--all-netns")]
        [Description("Watch every network namespace (counts are summed).")]
        public bool AllNetns { get; init; }

        [CommandOption("--pid <PID>")]
        [Description("Only sockets held by this process.")]
        public int? Pid { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("Only sockets whose local or remote port is PORT.")]
        public int? Port { get; init; }

        public override ValidationResult Validate()
        {
            if (!WatchInterval.TryParse(Interval, out _)) return ValidationResult.Error($"--interval '{Interval}' is not a duration of at least 100ms such as 2s, 500ms or 1m");
            if (Count is <= 0) return ValidationResult.Error("--count must be positive");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        WatchInterval.TryParse(settings.Interval, out var interval);
        using var interrupt = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // leave through the normal path so the live display restores the terminal
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var history = new WatchHistory();
        var filter = new DoctorFilter(settings.Pid, settings.Port);
        bool live = !settings.Plain && !Console.IsOutputRedirected && console.Profile.Capabilities.Interactive;
        int samples = 0;
        DoctorReport? last = null;
        try
        {
            if (live)
            {
                await console.Live(new Markup("[dim]first sample…[/]")).AutoClear(false).StartAsync(async ctx =>
                {
                    while (!linked.IsCancellationRequested && (settings.Count is null || samples < settings.Count))
                    {
                        last = Sample(settings, filter, history);
                        samples++;
                        ctx.UpdateTarget(View(last, history, interval, samples));
                        ctx.Refresh();
                        if (settings.Count is int c && samples >= c) break;
                        await Task.Delay(interval, linked.Token).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                while (!linked.IsCancellationRequested && (settings.Count is null || samples < settings.Count))
                {
                    last = Sample(settings, filter, history);
                    samples++;
                    console.Write(View(last, history, interval, samples));
                    console.WriteLine();
                    if (settings.Count is int c && samples >= c) break;
                    await Task.Delay(interval, linked.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: fall through to the summary line.
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        console.MarkupLineInterpolated($"[dim]watch stopped after {samples} samples[/]");
        if (last is null) return ExitCodes.Ok;
        return DoctorCommand.ExitCode([last]);
    }

    // One sample: a snapshot per namespace, analysed, summed into one report for display.
    private static DoctorReport Sample(Settings settings, DoctorFilter filter, WatchHistory history)
    {
        var inputs = DoctorSnapshots.Take(settings.AllNetns, settings.Pid);
        var reports = inputs.Select(i => DoctorAnalysis.Analyze(i, filter)).ToList();
        var merged = reports.Count == 1 ? reports[0] : Merge(reports);
        history.Add(WatchHistory.SampleOf(merged, inputs[0]));
        return merged;
    }

    private static DoctorReport Merge(List<DoctorReport> reports)
    {
        var states = new int[16];
        var classes = new Dictionary<Teardown.Doctor.Classification.SocketClass, int>();
        foreach (var r in reports)
        {
            for (int i = 0; i < states.Length; i++) states[i] += r.StateCounts[i];
            foreach (var (c, n) in r.ClassCounts) classes[c] = classes.GetValueOrDefault(c) + n;
        }

        return reports[0] with
        {
            StateCounts = [.. states],
            ClassCounts = System.Collections.Immutable.ImmutableDictionary.CreateRange(classes),
            Findings = [.. reports.SelectMany(r => r.Findings).OrderByDescending(f => f.Severity).ThenByDescending(f => f.Count)],
            PortUsage = [.. reports.SelectMany(r => r.PortUsage).OrderByDescending(p => p.InUse).Take(10)],
            BlindSpots = [.. reports.SelectMany(r => r.BlindSpots).DistinctBy(b => b.Kind)],
            Total = reports.Sum(r => r.Total),
        };
    }

    private static IRenderable View(DoctorReport report, WatchHistory history, TimeSpan interval, int samples)
    {
        var trends = history.Trends();
        var window = history.Samples.Count > 1 ? history.Samples[^1].At - history.Samples[0].At : TimeSpan.Zero;
        var counts = new Table().Border(TableBorder.Rounded).Title("sockets by class")
            .AddColumn("class").AddColumn(new TableColumn("now").RightAligned()).AddColumn(new TableColumn("growth /min").RightAligned());
        foreach (var t in trends.Where(t => !t.Name.StartsWith("fds of", StringComparison.Ordinal) && !t.Name.StartsWith("ephemeral", StringComparison.Ordinal)))
        {
            counts.AddRow(Markup.Escape(t.Name), $"{t.Current:0}", Growth(t.PerMinute, history.Samples.Count));
        }

        var forecasts = new Table().Border(TableBorder.Rounded).Title("forecasts (estimate: least-squares growth over the window)")
            .AddColumn("resource").AddColumn(new TableColumn("used").RightAligned()).AddColumn(new TableColumn("limit").RightAligned())
            .AddColumn(new TableColumn("growth /min").RightAligned()).AddColumn(new TableColumn("exhausted in").RightAligned());
        foreach (var t in trends.Where(t => t.Limit is not null).OrderBy(t => t.TimeToLimit ?? TimeSpan.MaxValue).Take(8))
        {
            forecasts.AddRow(Markup.Escape(t.Name), $"{t.Current:0}", $"{t.Limit:0}", Growth(t.PerMinute, history.Samples.Count),
                t.TimeToLimit is TimeSpan left ? $"[red]{Markup.Escape(Reap.Format(left))}[/]" : "[green]not growing[/]");
        }

        var top = new Table().Border(TableBorder.Rounded).Title("top findings").AddColumn("severity").AddColumn(new TableColumn("sockets").RightAligned()).AddColumn("finding");
        foreach (var f in report.Findings.Take(5))
        {
            top.AddRow($"[{DoctorRenderer.Colour(f.Severity)}]{f.Severity.Id()}[/]", $"{f.Count}", Markup.Escape($"{Explanations.Short(f.Class)} — {f.Owner?.Display ?? "no process"}, {f.Service}"));
        }

        if (report.Findings.IsEmpty)
        {
            top.AddRow("[green]none[/]", "0", "no stuck connections");
        }

        var header = new Markup(Markup.Escape($"{report.TakenAt:HH:mm:ss} sample {samples}, every {interval.TotalSeconds:0.###} s, window {window.TotalSeconds:0} s, {report.Total} sockets")
            + (report.IsPartial ? " [yellow](partial view: " + Markup.Escape(string.Join("; ", report.BlindSpots.Select(b => b.Kind.ToString()).Distinct())) + ")[/]" : "")
            + " [dim]Ctrl-C to stop[/]");
        return new Rows(header, new Columns(counts, forecasts).Collapse(), top);
    }

    private static string Growth(double perMinute, int samples) =>
        samples < 2 ? "[dim]–[/]" : perMinute > 0.05 ? $"[red]+{perMinute:0.#}[/]" : perMinute < -0.05 ? $"[green]{perMinute:0.#}[/]" : "0";
}
