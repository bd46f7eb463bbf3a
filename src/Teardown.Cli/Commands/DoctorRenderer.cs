using Spectre.Console;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;

namespace Teardown.Cli.Commands;

/// <summary>Human rendering of doctor reports: findings first (most severe first), then the summary and blind spots.</summary>
internal static class DoctorRenderer
{
    internal static string Colour(Severity s) => s switch
    {
        Severity.Critical => "red bold",
        Severity.High => "red",
        Severity.Medium => "yellow",
        Severity.Low => "blue",
        _ => "grey",
    };

    // With --wide, tables are as long as their content; prose panels (which would fill any width) and
    // the title rule keep to a readable 160 columns.
    private const int WideProse = 160;

    private static bool IsWide(IAnsiConsole console) => console.Profile.Width >= Output.Terminal.WideWidth;

    private static Panel Fit(IAnsiConsole console, Panel panel)
    {
        if (!IsWide(console)) return panel.Expand();
        panel.Width = WideProse;
        return panel;
    }

    internal static void Render(IAnsiConsole console, DoctorReport report, int details, bool showNamespace)
    {
        string source = report.Source switch { SocketSource.SockDiag => "sock_diag", SocketSource.ProcNetTcp => "/proc/net/tcp", _ => "no source" };
        string title = $"[bold]teardown doctor[/] — netns {report.NetNsInode}, {report.Total} sockets via {source}";
        if (IsWide(console)) console.MarkupLine(title);
        else console.Write(new Rule(title).LeftJustified());
        if (report.Findings.Count(f => f.Severity >= Severity.Info) == 0)
        {
            console.MarkupLine(report.HeldAfterAction.IsEmpty
                ? "[green]No stuck connections found.[/]"
                : "[green]No stuck connections found[/], except descriptors the application still holds after teardown ended their connections:");
        }
        else
        {
            FindingsTable(console, report);
            foreach (var f in report.Findings.Take(details))
            {
                Detail(console, f);
            }

            if (report.Findings.Length > details)
            {
                console.MarkupLine($"[dim]{report.Findings.Length - details} more findings in the table above; --details N or --json shows them in full.[/]");
            }
        }

        foreach (var h in report.HeldAfterAction)
        {
            Held(console, h);
        }

        Summary(console, report);
        BlindSpots(console, report);
    }

    /// <summary>
    /// Descriptors a process still holds after <c>teardown release</c> / <c>kill</c>: a finding of its
    /// own, after the numbered ones (nothing in it can be released again), laid out as a finding's detail.
    /// </summary>
    private static void Held(IAnsiConsole console, HeldAfterActionFinding h)
    {
        // The rule holds one line; the whole title (with the descriptor numbers) is the first paragraph.
        string headline = $"{h.Count} × held after release — {h.Owner.Display}";
        string title = $"[{Colour(h.Severity)}]{h.Severity.Id()}[/] {Markup.Escape(headline)}";
        if (IsWide(console)) console.MarkupLine("[dim]──[/] " + title);
        else console.Write(new Rule(title).LeftJustified().RuleStyle("dim"));
        var text = new Prose(IsWide(console) ? WideProse : console.Profile.Width, labelWidth: 11);
        text.Field("held", h.Title);
        text.Field("why", h.Mechanism);
        var o = h.Owner;
        text.Field("owner", $"{o.Display} {o.Executable} cgroup {o.CgroupPath ?? "?"}" +
            (o.FdCount > 0 ? $": {o.FdCount} descriptors open" + (o.FdLimit is long l ? $" of {l} (soft RLIMIT_NOFILE)" : "") : ""));
        text.Bullets("fix", h.Fix);
        text.Lines("sockets", h.Sockets.Take(3).Select(s =>
            $"fd\u00a0{s.Fd} ino\u00a0{s.Inode}  {s.Local}\u00a0→\u00a0{s.Remote}  {s.Class}, {(s.Action == Teardown.Linux.Ledger.LedgerAction.Release ? "released" : "killed")} " +
            s.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            h.Count > 3 ? $"(3 of {h.Count})" : null);
        console.Write(new Markup(text.ToMarkup()));
        console.WriteLine();
    }

    /// <summary>Below this width the findings table folds "what", owner and service into one wrapping column.</summary>
    internal const int CompactBelow = 120;

    private static void FindingsTable(IAnsiConsole console, DoctorReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Findings[/] (most severe first)");
        bool compact = console.Profile.Width < CompactBelow;
        // A pid, port or address is never split across lines: every column but the text one is NoWrap,
        // and the text one wraps only at spaces, never inside an address (tested at 80 columns).
        table.AddColumn(new TableColumn("#").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("severity").NoWrap());
        table.AddColumn(new TableColumn("sockets").RightAligned().NoWrap());
        if (compact)
        {
            table.AddColumn("what · owner · service");
        }
        else
        {
            table.AddColumn("what");
            table.AddColumn(new TableColumn("owner").NoWrap());
            table.AddColumn(new TableColumn("service").NoWrap());
        }

        table.AddColumn(new TableColumn("reaped").NoWrap());
        int n = 0;
        foreach (var f in report.Findings)
        {
            string owner = f.Owner is { } o ? $"{o.Comm ?? "?"}/{o.Pid}" : f.Class == SocketClass.CloseWaitNeverAccepted ? "(not accepted)" : "(kernel)";
            var cells = new List<string>
            {
                (++n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"[{Colour(f.Severity)}]{f.Severity.Id()}[/]",
                f.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (compact)
            {
                cells.Add(Markup.Escape(Explanations.Short(f.Class)) + "\n[dim]" + Markup.Escape($"{owner} · {ServiceCell(f)}") + "[/]");
            }
            else
            {
                cells.Add(Markup.Escape(Explanations.Short(f.Class)));
                cells.Add(Markup.Escape(owner));
                cells.Add(Markup.Escape(ServiceCell(f)));
            }

            cells.Add(f.Reap.Never ? "[red]never[/]" : Markup.Escape(f.Reap.Display));
            table.AddRow([.. cells]);
        }

        console.Write(table);
    }

    // "server :8080" or "client → 10.0.0.5:6379".
    private static string ServiceCell(Finding f) => f.Side switch
    {
        Side.Server => "server " + f.Service.Replace("local ", "", StringComparison.Ordinal),
        Side.Client => "client → " + f.Service.Replace("remote ", "", StringComparison.Ordinal),
        _ => f.Service,
    };

    /// <summary>
    /// One finding in full: a rule with its title, then labelled paragraphs wrapped by
    /// <see cref="Prose"/>. Deliberately not a Spectre panel or grid: those lay every line out again
    /// for their borders and columns, ~15 ms per finding, which made the six default details most of
    /// what the tables cost over --json; a rule and pre-wrapped text cost ~0.4 ms (bench/doctor-vs-ss.sh).
    /// </summary>
    private static void Detail(IAnsiConsole console, Finding f)
    {
        string title = $"[{Colour(f.Severity)}]{f.Severity.Id()}[/] {Markup.Escape(f.Title)}";
        if (IsWide(console)) console.MarkupLine("[dim]──[/] " + title);
        else console.Write(new Rule(title).LeftJustified().RuleStyle("dim"));
        int width = IsWide(console) ? WideProse : console.Profile.Width;
        var text = new Prose(width, labelWidth: 11);
        text.Field("fault", f.Fault);
        text.Field("why", f.Mechanism);
        text.Field("reaped", $"{f.Reap.Display} — {f.Reap.Explanation}");
        if (f.PairedOnHost > 0 && f.PeerClass is { } peer)
        {
            text.Field("other end", $"{f.PairedOnHost} on this host, mostly {peer.Id()}" + (f.PeerPid is int pp ? $", held by pid {pp}" : ", no process"));
        }

        if (f.Owner is { } o)
        {
            text.Field("owner", $"{o.Display} {o.Executable} cgroup {o.CgroupPath ?? "?"}");
        }

        text.Bullets("figures", f.Figures.Select(fig => $"{fig.Name}: {fig.Display} ({fig.SourceId}: {fig.Origin})"));
        text.Bullets("fix", f.Fix);
        text.Lines("examples", f.Examples.Take(3).Select(e =>
            // No-break spaces (U+00A0) keep each label with its number when the line wraps.
            $"{e.State,-10} {e.RecvQ,4} {e.SendQ,4}  {e.Local}\u00a0→\u00a0{e.Remote}  ino\u00a0{e.Inode}" +
            (e.Fd is int fd ? $" fd\u00a0{fd}" : "") + (e.QuietMs is uint q ? $" quiet\u00a0{q / 1000.0:0.#}\u00a0s" : "") +
            (e.Timer is string t ? $" timer:({t},{e.TimerMs / 1000.0:0.###}\u00a0s,{e.Retrans})" : "")).ToList(), "(state Recv-Q Send-Q)");
        console.Write(new Markup(text.ToMarkup()));
        console.WriteLine();
    }

    private static void Summary(IAnsiConsole console, DoctorReport report)
    {
        var states = new Table().Border(TableBorder.Rounded).Title("by state").AddColumn("state").AddColumn(new TableColumn("sockets").RightAligned());
        for (int s = 0; s < report.StateCounts.Length; s++)
        {
            if (report.StateCounts[s] > 0)
            {
                states.AddRow(TcpStateNames.ToLinuxName((TcpState)s), report.StateCounts[s].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var classes = new Table().Border(TableBorder.Rounded).Title("by class").AddColumn("class").AddColumn(new TableColumn("sockets").RightAligned());
        foreach (var c in ClassNames.All)
        {
            if (report.ClassCounts.TryGetValue(c, out int n))
            {
                classes.AddRow(c.Id(), n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var ports = new Table().Border(TableBorder.Rounded).Title("ephemeral ports by destination").AddColumn("destination")
            .AddColumn(new TableColumn("in use").RightAligned()).AddColumn(new TableColumn("TIME_WAIT").RightAligned()).AddColumn(new TableColumn("of range").RightAligned());
        foreach (var p in report.PortUsage.Take(5))
        {
            ports.AddRow(Markup.Escape(p.Destination), p.InUse.ToString(System.Globalization.CultureInfo.InvariantCulture),
                p.TimeWait.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{100 * p.Fraction:0.#} %");
        }

        console.Write(new Columns(states, classes, ports).Collapse());
    }

    private static void BlindSpots(IAnsiConsole console, DoctorReport report)
    {
        if (report.BlindSpots.IsEmpty) return;
        var text = string.Join('\n', report.BlindSpots.Select(b => "• " + Markup.Escape($"{BlindSpotText.Label(b.Kind)}: {b.Detail}" + (b.Error is { } e ? $" ({e})" : ""))));
        console.Write(Fit(console, new Panel(new Markup(text)).Header(report.IsPartial ? "[yellow]could not see everything[/]" : "notes")));
    }

    internal static void Verdict(IAnsiConsole console, IReadOnlyList<DoctorReport> reports, int exit, TimeSpan elapsed)
    {
        int findings = reports.Sum(r => r.Findings.Count(f => f.Severity >= Severity.Low) + r.HeldAfterAction.Count(h => h.Severity >= Severity.Low));
        int held = reports.Sum(r => r.HeldAfterAction.Sum(h => h.Count));
        string except = held == 0 ? "" : held == 1
            ? " except for 1 descriptor the application still holds after teardown ended its connection"
            : $" except for {held} descriptors the application still holds after teardown ended their connections";
        string seen = $"{reports.Sum(r => r.Total)} sockets in {reports.Count} namespace(s), {elapsed.TotalMilliseconds:0} ms";
        string hidden = BlindSpotText.Hidden(reports);
        string verdict = exit switch
        {
            ExitCodes.Permission => $"[yellow]partial view[/] (no findings among what could be seen: {seen}); " +
                (reports.Any(r => r.BlindSpots.Any(b => b.Kind == BlindSpotKind.NotRoot))
                    ? "run as root for the full picture"
                    : "see what could not be seen above"),
            ExitCodes.Findings => $"[red]{findings} findings[/] ({seen})" + (hidden.Length > 0 ? $"; [yellow]not seen:[/] {Markup.Escape(hidden)}" : ""),
            _ => $"[green]healthy[/]{except} ({seen})",
        };
        console.MarkupLine(verdict);
    }
}
