using Teardown.Cli.Commands;
using Teardown.Cli.Output;
using Teardown.Doctor.Findings;
using Teardown.Linux.Ledger;

namespace Teardown.Cli.Tests;

/// <summary><c>watch</c> shows what <c>teardown release</c> / <c>kill</c> did: counts since it started and since boot, and descriptors still held.</summary>
public sealed class WatchActionsTests
{
    private static LedgerEntry Acted(int n, LedgerAction action, LedgerOutcome outcome) =>
        new(new DateTimeOffset(2026, 12, 6, 23, 0, n % 60, TimeSpan.Zero), action, outcome, null, null, 1, (ulong)n, "10.0.0.1:8080", $"10.0.0.2:{40000 + n}",
            (ulong)(5000 + n), "CLOSE_WAIT", "close-wait-unread-eof", 42, 100 + n, "nginx", 0, 1);

    private static LedgerTotals Totals(int released, int killed, int skipped = 0) => LedgerTotals.Empty.Add([
        .. Enumerable.Range(0, released).Select(i => Acted(i, LedgerAction.Release, LedgerOutcome.Released)),
        .. Enumerable.Range(0, killed).Select(i => Acted(i, LedgerAction.Kill, LedgerOutcome.Killed)),
        .. Enumerable.Range(0, skipped).Select(i => Acted(i, LedgerAction.Release, LedgerOutcome.Skipped))]);

    private static HeldAfterActionFinding Held(int count) => new()
    {
        Severity = Severity.Info,
        Owner = new OwnerSummary(42, "nginx", "/usr/sbin/nginx", "/", 300, 1024),
        Title = $"{count} connections released by teardown are still held by nginx (pid 42)",
        Mechanism = "",
        Fix = [],
        Sockets = [.. Enumerable.Range(0, count).Select(i => new HeldSocket(100 + i, (ulong)(5000 + i), "10.0.0.1:8080", "10.0.0.2:1", "close-wait-unread-eof", LedgerAction.Release, DateTimeOffset.UnixEpoch))],
    };

    [Fact]
    public void The_line_counts_since_the_watch_started_and_since_boot_and_names_who_still_holds_descriptors()
    {
        var boot = Totals(released: 415, killed: 20, skipped: 3);
        var start = Totals(released: 400, killed: 18);
        var report = Reports.WithFindings(partial: false) with { HeldAfterAction = [Held(15)] };
        string? line = WatchCommand.ActionsLine(report, new WatchActions(boot.Since(start), boot));
        Assert.Equal("[bold]teardown[/]: released 15 · killed 2 since watch started (since boot: 415 · 20) · [yellow]15 fds still held after release[/] by nginx/42", line);
    }

    [Fact]
    public void Nothing_is_shown_when_teardown_never_acted()
    {
        var report = Reports.WithFindings(partial: false);
        Assert.Null(WatchCommand.ActionsLine(report, new WatchActions(LedgerTotals.Empty, LedgerTotals.Empty)));
        Assert.Null(WatchCommand.ActionsLine(report, null));
    }

    [Fact]
    public void With_the_line_watch_still_fits_80_by_24()
    {
        var report = Reports.WithFindings(partial: false, many: true) with { HeldAfterAction = [Held(415)] };
        var boot = Totals(released: 415, killed: 20);
        var writer = new StringWriter();
        var terminal = Terminal.ForWriters(writer, TextWriter.Null, 80, 24);
        terminal.Out.Write(WatchCommand.View(report, new Teardown.Doctor.Watch.WatchHistory(), TimeSpan.FromSeconds(2), 3, 24, 80, new WatchActions(boot.Since(LedgerTotals.Empty), boot)));
        var lines = writer.ToString().TrimEnd('\n').Split('\n');
        Assert.True(lines.Length <= 24, $"{lines.Length} lines:\n{writer}");
        Assert.Contains("sample 3", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("released 415", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("top findings", StringComparison.Ordinal));
    }
}
