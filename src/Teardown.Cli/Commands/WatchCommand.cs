using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;
using Teardown.Doctor.Watch;
using Teardown.Cli.Output;
using Teardown.Doctor.Input;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;

namespace Teardown.Cli.Commands;

/// <summary>What <c>teardown release</c> / <c>kill</c> did, as <c>watch</c> shows it.</summary>
/// <param name="SinceStart">Since the watch's first sample.</param>
/// <param name="SinceBoot">The whole action ledger (it lives on tmpfs: since boot).</param>
internal sealed record WatchActions(LedgerTotals SinceStart, LedgerTotals SinceBoot);

/// <summary>
/// <c>teardown watch [--interval 2s] [--count N]</c>: counts per class, growth per minute and
/// exhaustion forecasts, refreshed live. Ctrl-C stops it and the live display restores the
/// terminal; when stdout is not a terminal (or with --plain) it prints one block per sample.
/// </summary>
public sealed class WatchCommand(Terminal terminal) : AsyncCommand<WatchCommand.Settings>
{
    public sealed class Settings : HostSettings
    {
        [CommandOption("-i|--interval <DURATION>")]
        [Description("Time between samples, 100ms to 24h: 2s (default), 500ms, 1m30s, 10h.")]
        [DefaultValue("2s")]
        public string Interval { get; init; } = "2s";

        [CommandOption("-n|--count <N>")]
        [Description("Stop after N samples (default: until Ctrl-C).")]
        public int? Count { get; init; }

        [CommandOption("--plain")]
        [Description("Print one block per sample instead of a live view (automatic when stdout is not a terminal).")]
        public bool Plain { get; init; }

        public override ValidationResult Validate()
        {
            if (!DurationText.TryParse(Interval, out var interval)) return ValidationResult.Error($"--interval '{Interval}' is not a duration such as 2s, 500ms, 1m30s or 10h");
            if (interval < MinInterval || interval > MaxInterval) return ValidationResult.Error($"--interval must be between 100ms and 24h, not {Interval}");
            if (Count is <= 0) return ValidationResult.Error("--count must be positive");
            return base.Validate();
        }
    }

    /// <summary>Shortest interval: a snapshot of 150,000 sockets takes ~0.3 s; faster only measures watch itself.</summary>
    internal static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest interval: a day (a timer must stay representable; longer watches are a job for serve).</summary>
    internal static readonly TimeSpan MaxInterval = TimeSpan.FromHours(24);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Problem() is string problem)
        {
            terminal.Fail(problem);
            return ExitCodes.Usage;
        }

        DurationText.TryParse(settings.Interval, out var interval);
        var console = terminal.Out;
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
        // One follower for the watch's life: each sample reads only the ledger's new lines.
        var ledger = new LedgerFollower(ActionLedger.PathInEffect);
        LedgerTotals? atStart = null;
        WatchActions Actions() => new(ledger.Totals.Since(atStart ??= ledger.Totals), ledger.Totals);
        bool live = !settings.Plain && terminal.IsInteractive;
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
                        last = Sample(settings, filter, history, ledger);
                        samples++;
                        ctx.UpdateTarget(View(last, history, interval, samples, terminal.Height, terminal.Width, Actions()));
                        ctx.Refresh();
                        terminal.Flush();
                        if (settings.Count is int c && samples >= c) break;
                        await Task.Delay(interval, linked.Token).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                while (!linked.IsCancellationRequested && (settings.Count is null || samples < settings.Count))
                {
                    last = Sample(settings, filter, history, ledger);
                    samples++;
                    console.Write(View(last, history, interval, samples, int.MaxValue, terminal.Width, Actions()));
                    console.WriteLine();
                    terminal.Flush();
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
    private static DoctorReport Sample(Settings settings, DoctorFilter filter, WatchHistory history, LedgerFollower ledger)
    {
        var request = new SnapshotRequest { AllNamespaces = settings.AllNetns, NamespaceOfPid = settings.Pid, Extensions = DoctorInput.NeededExtensions, DetailStates = DoctorInput.DetailStates, Ledger = ledger };
        var inputs = NamespaceSnapshots.Take(request).Select(DoctorInput.From).ToList();
        var reports = inputs.Select(i => DoctorAnalysis.Analyze(i, filter)).ToList();
        var merged = reports.Count == 1 ? reports[0] : Merge(reports);
        // The watcher's own descriptors are not the host's problem: leave them out of the forecasts.
        history.Add(WatchHistory.SampleOf(merged, inputs[0], excludePid: Environment.ProcessId));
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
            HeldAfterAction = [.. reports.SelectMany(r => r.HeldAfterAction)],
            Total = reports.Sum(r => r.Total),
        };
    }

    /// <summary>
    /// One screen: the header line, then counts and forecasts side by side, then the top findings,
    /// each cut to what <paramref name="height"/> leaves (a live view taller than the terminal
    /// scrolls its header away). In 80×24: header, 6 classes, 5 forecasts, 3 findings.
    /// </summary>
    internal static IRenderable View(DoctorReport report, WatchHistory history, TimeSpan interval, int samples, int height, int width, WatchActions? actions = null)
    {
        string? acted = ActionsLine(report, actions);
        // The line of what teardown did takes one line, two where it may wrap.
        int actedLines = acted is null ? 0 : width < 120 ? 2 : 1;
        var (rowsForCounts, rowsForForecasts, rowsForFindings) = RowBudget(height == int.MaxValue ? height : height - actedLines, width);
        var trends = history.Trends();
        var window = history.Samples.Count > 1 ? history.Samples[^1].At - history.Samples[0].At : TimeSpan.Zero;
        var counts = new Table().Border(TableBorder.Rounded).Title("sockets by class")
            .AddColumn("class").AddColumn(new TableColumn("now").RightAligned()).AddColumn(new TableColumn("growth /min").RightAligned());
        foreach (var t in trends.Where(t => !t.Name.StartsWith("fds of", StringComparison.Ordinal) && !t.Name.StartsWith("ephemeral", StringComparison.Ordinal))
            .OrderByDescending(t => t.PerMinute).ThenByDescending(t => t.Current).Take(rowsForCounts))
        {
            counts.AddRow(Markup.Escape(t.Name), $"{t.Current:0}", Growth(t.PerMinute, history.Samples.Count));
        }

        var forecasts = new Table().Border(TableBorder.Rounded).Title("forecasts (estimate: least-squares growth over the window)")
            .AddColumn("resource").AddColumn(new TableColumn("used").RightAligned()).AddColumn(new TableColumn("limit").RightAligned())
            .AddColumn(new TableColumn("growth /min").RightAligned()).AddColumn(new TableColumn("exhausted in").RightAligned());
        foreach (var t in trends.Where(t => t.Limit is not null).OrderBy(t => t.TimeToLimit ?? TimeSpan.MaxValue).Take(rowsForForecasts))
        {
            forecasts.AddRow(Markup.Escape(t.Name), $"{t.Current:0}", $"{t.Limit:0}", Growth(t.PerMinute, history.Samples.Count),
                t.TimeToLimit is TimeSpan left ? $"[red]{Markup.Escape(Reap.Format(left))}[/]" : "[green]not growing[/]");
        }

        var top = new Table().Border(TableBorder.Rounded).Title("top findings").AddColumn("severity").AddColumn(new TableColumn("sockets").RightAligned()).AddColumn("finding");
        foreach (var f in report.Findings.Take(rowsForFindings))
        {
            top.AddRow($"[{DoctorRenderer.Colour(f.Severity)}]{f.Severity.Id()}[/]", $"{f.Count}", Markup.Escape($"{Explanations.Short(f.Class)} — {f.Owner?.Display ?? "no process"}, {f.Service}"));
        }

        if (report.Findings.IsEmpty)
        {
            top.AddRow("[green]none[/]", "0", "no stuck connections");
        }

        var header = new Markup(Markup.Escape($"{report.TakenAt:HH:mm:ss} sample {samples}, every {DurationText.Format(interval)}, window {window.TotalSeconds:0} s, {report.Total} sockets")
            + (report.IsPartial ? " [yellow](partial view: " + Markup.Escape(string.Join("; ", report.BlindSpots.Select(b => BlindSpotText.Label(b.Kind)).Distinct())) + ")[/]" : "")
            + " [dim]Ctrl-C to stop[/]");
        return acted is null
            ? new Rows(header, new Columns(counts, forecasts).Collapse(), top)
            : new Rows(header, new Markup(acted), new Columns(counts, forecasts).Collapse(), top);
    }

    /// <summary>
    /// Sockets <c>teardown release</c> / <c>kill</c> ended since the watch started and since boot (the
    /// action ledger), and the descriptors applications still hold on them; null when there is none of either.
    /// </summary>
    internal static string? ActionsLine(DoctorReport report, WatchActions? actions)
    {
        int held = report.HeldAfterAction.Sum(h => h.Count);
        if ((actions is null || actions.SinceBoot.Total == 0) && held == 0) return null;
        var parts = new List<string>();
        if (actions is not null && actions.SinceBoot.Total > 0)
        {
            var (start, boot) = (actions.SinceStart, actions.SinceBoot);
            parts.Add($"released {start.Released} · killed {start.Killed} since watch started (since boot: {boot.Released} · {boot.Killed})");
        }

        if (held > 0)
        {
            string who = string.Join(", ", report.HeldAfterAction.Take(2).Select(h => $"{h.Owner.Comm ?? "?"}/{h.Owner.Pid}")) + (report.HeldAfterAction.Length > 2 ? ", …" : "");
            parts.Add($"[yellow]{held} {(held == 1 ? "fd" : "fds")} still held after release[/] by {Markup.Escape(who)}");
        }

        return "[bold]teardown[/]: " + string.Join(" · ", parts);
    }

    /// <summary>
    /// Rows each table may show so that the whole view fits <paramref name="height"/> lines: the
    /// header and the stop line take 2, each table 5 of chrome (title, borders, column header); below
    /// 120 columns the two upper tables stack instead of standing side by side.
    /// </summary>
    internal static (int Counts, int Forecasts, int Findings) RowBudget(int height, int width)
    {
        if (height == int.MaxValue) return (int.MaxValue, 8, 5);
        bool stacked = width < 120;
        int rows = Math.Max(3, height - 2 - (stacked ? 15 : 10));
        int findings = Math.Max(1, rows * 3 / 10);
        if (!stacked)
        {
            return (rows - findings, rows - findings, findings);
        }

        int forecasts = Math.Max(1, rows * 3 / 10);
        return (Math.Max(1, rows - findings - forecasts), forecasts, findings);
    }

    private static string Growth(double perMinute, int samples) =>
        samples < 2 ? "[dim]–[/]" : perMinute > 0.05 ? $"[red]+{perMinute:0.#}[/]" : perMinute < -0.05 ? $"[green]{perMinute:0.#}[/]" : "0";
}
