using Spectre.Console;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Forecast;
using Teardown.Doctor.WhatIf;

namespace Teardown.Cli.Commands;

/// <summary>What-if answers for people: one table row per finding, then the reasons, finding by finding.</summary>
internal static class WhatIfRenderer
{
    internal static void Render(IAnsiConsole console, IReadOnlyList<WhatIfReport> reports, int findings)
    {
        if (reports.Count == 0) return;
        console.MarkupLine($"[bold]What if[/] {Markup.Escape(reports[0].Change.Describe())} — the model, seeded with each finding's longest-lived socket, run forward under this host's settings and with the change");
        if (findings == 0)
        {
            console.MarkupLine("The doctor finds nothing stuck here: nothing for the change to act on.");
        }

        foreach (var report in reports)
        {
            if (report.Answers.Count == 0) continue;
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("#").AddColumn("sockets").AddColumn("class").AddColumn("these end").AddColumn("effect").AddColumn("new ones end").AddColumn("peer sees");
            foreach (var a in report.Answers)
            {
                table.AddRow(
                    a.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    a.Finding.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(a.Finding.Class.Id()),
                    a.Existing is { } e ? Markup.Escape(BeforeAfter(EffectNames.When(e.Before), EffectNames.When(e.After))) : "—",
                    EffectMarkup(a.Effect),
                    a.Fresh is { } f ? Markup.Escape(BeforeAfter(EffectNames.When(f.Before), EffectNames.When(f.After))) : "—",
                    a.Existing is { } x ? Markup.Escape(BeforeAfter(Peer(x.Before.PeerSees), Peer(x.After.PeerSees))) : "—");
            }

            console.Write(table);
            foreach (var a in report.Answers)
            {
                console.MarkupLine($"[bold]{a.Number}[/] {Markup.Escape(a.Finding.Title)}: {EffectMarkup(a.Effect)}");
                foreach (string note in a.Notes) console.MarkupLine($"  · {Markup.Escape(note)}");
            }

            foreach (string line in report.Ports) console.MarkupLine($"ports {Markup.Escape(line)}");
        }

        console.MarkupLine("[dim]Nothing was changed on this host. \"never\" means not within the model's horizon of "
            + $"{Teardown.Doctor.Findings.Reap.Format(ModelForecaster.Horizon)}.[/]");
    }

    // "never" when unchanged, "60 s → 10 s" when the change moves it.
    private static string BeforeAfter(string before, string after) => before == after ? before : $"{before} → {after}";

    private static string EffectMarkup(Effect e) => e switch
    {
        Effect.Sooner or Effect.Ends => $"[green]{e.Id()}[/]",
        Effect.Later or Effect.NeverEnds => $"[red]{e.Id()}[/]",
        Effect.Different => $"[yellow]{e.Id()}[/]",
        _ => e.Id(),
    };

    private static string Peer(PeerSees p) => p switch
    {
        PeerSees.Rst => "RST",
        PeerSees.Fin => "FIN",
        _ => "nothing",
    };
}
