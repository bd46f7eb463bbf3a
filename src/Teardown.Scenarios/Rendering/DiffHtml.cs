using System.Globalization;
using System.Text;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Rendering;

/// <summary>
/// <c>teardown diff FILE --html report.html</c>: the model's and the kernel's ladder diagrams side by
/// side, the divergences listed and highlighted (yellow bands) in both. Self-contained, no script.
/// </summary>
public static class DiffHtml
{
    /// <summary>The page for one scenario's two traces and their comparison.</summary>
    public static string Render(ScenarioTrace model, ScenarioTrace kernel, Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(comparison);
        string title = LadderSvg.Escape(model.Scenario.Title ?? Path.GetFileName(model.Scenario.FileName));
        var lines = comparison.Divergences.Where(d => d.Line is not null).Select(d => d.Line!).ToHashSet();
        var instants = comparison.Divergences.Where(d => d.Aspect is Aspects.States or Aspects.Segments or Aspects.Counter).Select(d => d.At).ToList();
        bool Highlight(TraceEntry e) => e switch
        {
            CallTraced c => lines.Contains(c.Line) && comparison.Divergences.Any(d => d.Line == c.Line && d.Aspect is Aspects.Result or Aspects.ReturnTime),
            ObservationTraced o => lines.Contains(o.Line) && comparison.Divergences.Any(d => d.Line == o.Line && d.Aspect == Aspects.Observation),
            TransitionTraced or SegmentTraced => instants.Any(t => (e.At - t).Duration() <= TimeSpan.FromMilliseconds(1)),
            _ => false,
        };

        var h = new StringBuilder();
        h.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(title).Append(" — model vs kernel</title>\n")
         .Append("<style>body{font-family:system-ui,sans-serif;margin:16px;color:#222}.sides{display:flex;gap:12px;align-items:flex-start}.sides>div{flex:1;min-width:0}svg{max-width:100%;height:auto}")
         .Append("table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}.agree{color:#2e7d32}.diverge{color:#c62828}@media print{.sides{display:block}}</style></head>\n<body>\n");
        h.Append("<h1 style=\"font-size:18px\">").Append(title).Append("</h1>\n");
        h.Append(comparison.Agrees
            ? "<p class=\"agree\" data-testid=\"verdict\">The model and the kernel agree.</p>\n"
            : string.Create(CultureInfo.InvariantCulture, $"<p class=\"diverge\" data-testid=\"verdict\">{comparison.Divergences.Count} divergence(s): highlighted in yellow on both sides.</p>\n"));
        if (!comparison.Agrees)
        {
            h.Append("<table data-testid=\"divergences\"><tr><th>time</th><th>line</th><th>aspect</th><th>model</th><th>kernel</th></tr>\n");
            foreach (var d in comparison.Divergences)
            {
                h.Append(CultureInfo.InvariantCulture, $"<tr data-testid=\"divergence\"><td>{LadderSvg.Escape(TimeText.Seconds(d.At))}</td><td>{(d.Line is null ? "" : d.Line.Where.Line.ToString(CultureInfo.InvariantCulture))}</td><td>{LadderSvg.Escape(d.Aspect)}</td><td>{LadderSvg.Escape(d.Model)}</td><td>{LadderSvg.Escape(d.Kernel)}</td></tr>\n");
            }

            h.Append("</table>\n");
        }

        h.Append("<div class=\"sides\"><div data-testid=\"model\"><h2 style=\"font-size:15px\">model</h2>\n").Append(LadderSvg.Render(model, Highlight)).Append("</div>\n");
        h.Append("<div data-testid=\"kernel\"><h2 style=\"font-size:15px\">kernel</h2>\n").Append(LadderSvg.Render(kernel, Highlight)).Append("</div></div>\n</body></html>\n");
        return h.ToString();
    }
}
