using System.Globalization;
using System.Text;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Rendering;

/// <summary>
/// A trace as a ladder diagram in SVG — the sequence diagram every TCP text draws: one vertical line
/// per host, one arrow per segment (flags, relative seq/ack, length; a dropped one ends in a cross),
/// each end's state written beside its host's line as it changes, timers as brackets, calls and their
/// results at the side, time going down to scale with long gaps collapsed. Deterministic: the same
/// trace always gives the same bytes (golden-file tests).
/// </summary>
public static class LadderSvg
{
    private const double Top = 70;
    private const double FirstHost = 300;
    private const double HostSpacing = 420;
    private const double Side = 300;

    /// <summary>The SVG document for <paramref name="trace"/>; rows <paramref name="highlight"/> selects get a yellow band (a diff's divergences).</summary>
    public static string Render(ScenarioTrace trace, Func<TraceEntry, bool>? highlight = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var layout = LadderLayout.Of(trace);
        int hostCount = Math.Max(1, layout.Hosts.Count);
        double width = FirstHost + (hostCount - 1) * HostSpacing + Side;
        double height = Top + layout.Height + 20;
        var x = layout.Hosts.Select((h, i) => (h, FirstHost + i * HostSpacing)).ToDictionary(p => p.h, p => p.Item2);
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">\n"));
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>\n");
        svg.Append(Inv($"<rect width=\"{width:0}\" height=\"{height:0}\" fill=\"#ffffff\"/>\n"));
        string title = trace.Scenario.Title ?? Path.GetFileName(trace.Scenario.FileName);
        svg.Append(Inv($"<text x=\"12\" y=\"22\" font-size=\"14\" font-weight=\"bold\" data-role=\"title\">{Escape(title)}</text>\n"));
        svg.Append(Inv($"<text x=\"12\" y=\"40\" fill=\"#555555\">{Escape(Path.GetFileName(trace.Scenario.FileName))} on the {trace.Target}</text>\n"));

        foreach (var host in trace.Scenario.Hosts)
        {
            double hx = x[host.Name];
            svg.Append(Inv($"<g data-host=\"{Escape(host.Name)}\"><text x=\"{hx:0}\" y=\"{Top - 12:0}\" text-anchor=\"middle\" font-weight=\"bold\">{Escape(host.Name)} {host.Address}</text>"));
            svg.Append(Inv($"<line x1=\"{hx:0}\" y1=\"{Top - 4:0}\" x2=\"{hx:0}\" y2=\"{Top + layout.Height:0}\" stroke=\"#333333\" stroke-width=\"2\"/></g>\n"));
        }

        foreach (var (y, gap) in layout.Breaks)
        {
            double by = Top + y;
            svg.Append(Inv($"<g data-role=\"gap\"><line x1=\"90\" y1=\"{by:0.#}\" x2=\"{width - 20:0}\" y2=\"{by:0.#}\" stroke=\"#bbbbbb\" stroke-dasharray=\"2 6\"/>"));
            svg.Append(Inv($"<text x=\"12\" y=\"{by + 4:0.#}\" fill=\"#888888\">⋮ {Escape(TimeText.Seconds(gap))}</text></g>\n"));
        }

        foreach (var timer in layout.Timers)
        {
            if (!x.TryGetValue(timer.Host, out double hx)) continue;
            double bx = OnLeft(layout, timer.Host) ? hx - 8 : hx + 8;
            double tick = OnLeft(layout, timer.Host) ? 5 : -5;
            double y1 = Top + timer.From, y2 = Top + timer.To;
            string kind = timer.Kind.ToSsName() ?? "timer";
            string ending = timer.Ending switch { TimerEnd.Fired => "fired", TimerEnd.Cancelled => "cancelled", TimerEnd.Rearmed => "re-armed", _ => "still running" };
            svg.Append(Inv($"<g data-role=\"timer\" data-kind=\"{kind}\"><title>{Escape($"{timer.End}: {kind} timer{(timer.Expires is TimeSpan e ? $", expires after {TimeText.Seconds(e)}" : "")}, {ending}")}</title>"));
            svg.Append(Inv($"<path d=\"M{bx + tick:0.#},{y1:0.#} L{bx:0.#},{y1:0.#} L{bx:0.#},{y2:0.#}{(timer.Ending == TimerEnd.StillRunning ? "" : Inv($" L{bx + tick:0.#},{y2:0.#}"))}\" fill=\"none\" stroke=\"{TimerColour(timer.Kind)}\" stroke-width=\"2\"{(timer.Ending == TimerEnd.Cancelled ? " stroke-dasharray=\"4 3\"" : "")}/></g>\n"));
        }

        TimeSpan? lastTime = null;
        double middle = layout.Hosts.Count > 0 ? (x[layout.Hosts[0]] + x[layout.Hosts[^1]]) / 2 : FirstHost;
        foreach (var row in layout.Rows)
        {
            double y = Top + row.Y;
            if (highlight?.Invoke(row.Entry) == true)
            {
                svg.Append(Inv($"<rect data-role=\"divergence\" x=\"4\" y=\"{y - 12:0.#}\" width=\"{width - 8:0}\" height=\"{LadderLayout.RowHeight:0}\" fill=\"#fff59d\" opacity=\"0.8\"/>\n"));
            }

            if (lastTime != row.Entry.At)
            {
                svg.Append(Inv($"<text x=\"12\" y=\"{y + 4:0.#}\" fill=\"#555555\" data-role=\"time\">{Escape(TimeText.Seconds(row.Entry.At))}</text>\n"));
                lastTime = row.Entry.At;
            }

            switch (row.Entry)
            {
                case SegmentTraced s when s.From == s.To && x.ContainsKey(s.From):
                    Loopback(svg, s, x[s.From], OnLeft(layout, s.From), y);
                    break;
                case SegmentTraced s when x.ContainsKey(s.From) && x.ContainsKey(s.To):
                    Segment(svg, s, x[s.From], x[s.To], y, row.Delay);
                    break;
                case TransitionTraced t when x.ContainsKey(t.Host):
                    Beside(svg, layout, t.Host, x[t.Host], y, "state",
                        $"{t.End}: {(t.From is null ? "" : ObservedText.State(t.From) + " → ")}{ObservedText.State(t.To)}", t.Cause, "#000000", bold: true);
                    break;
                case CallTraced c when x.ContainsKey(c.Host):
                    Beside(svg, layout, c.Host, x[c.Host], y, "call", $"{EntryText.Describe(c)}", null, c.Outcome.Errno == Errno.None ? "#1f4e9c" : "#b00020", bold: false);
                    break;
                case CallBlockedTraced b when x.ContainsKey(b.Host):
                    Beside(svg, layout, b.Host, x[b.Host], y, "call", EntryText.Describe(b), null, "#b00020", bold: false);
                    break;
                case ObservationTraced o:
                    Centre(svg, middle, y, "expect", StatementText.Of(o.Line), "#666666", "observed " + ObservedText.Observation(o.Observed));
                    break;
                case NetworkEventTraced n:
                    Centre(svg, middle, y, "network", EntryText.Describe(n), "#c05800", null);
                    break;
                case NoteTraced n:
                    Centre(svg, middle, y, "note", n.Text, "#666666", null);
                    break;
                default:
                    break;
            }
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Segment(StringBuilder svg, SegmentTraced s, double x1, double x2, double y, TimeSpan delay)
    {
        // Arrows slope by the link's one-way delay (to scale, within bounds) so that simultaneous
        // segments stay readable on a zero-delay link.
        double drop = 10 + Math.Min(delay.TotalSeconds * LadderLayout.PixelsPerSecond, 40);
        string colour = SegmentColour(s.Flags);
        string label = SegmentLabel(s);
        double ex = s.Dropped ? x1 + (x2 - x1) * 0.6 : x2, ey = s.Dropped ? y + drop * 0.6 : y + drop;
        svg.Append(Inv($"<g data-role=\"segment\" data-flags=\"{Escape(s.Flags.ToNotation())}\"{(s.Dropped ? " data-dropped=\"true\"" : "")}>"));
        svg.Append(Inv($"<line x1=\"{x1:0.#}\" y1=\"{y:0.#}\" x2=\"{ex:0.#}\" y2=\"{ey:0.#}\" stroke=\"{colour}\" stroke-width=\"1.5\"{(s.Dropped ? "" : " marker-end=\"url(#arrow)\"")}/>"));
        if (s.Dropped)
        {
            svg.Append(Inv($"<path d=\"M{ex - 5:0.#},{ey - 5:0.#} L{ex + 5:0.#},{ey + 5:0.#} M{ex - 5:0.#},{ey + 5:0.#} L{ex + 5:0.#},{ey - 5:0.#}\" stroke=\"{colour}\" stroke-width=\"2\"/>"));
        }

        svg.Append(Inv($"<text x=\"{(x1 + x2) / 2:0.#}\" y=\"{y + drop / 2 - 4:0.#}\" text-anchor=\"middle\" fill=\"{colour}\">{Escape(label + (s.Dropped ? " (dropped)" : ""))}</text></g>\n"));
    }

    /// <summary>A segment a host sends itself (a connection over its loopback): a loop on the outer side of its line.</summary>
    private static void Loopback(StringBuilder svg, SegmentTraced s, double hx, bool left, double y)
    {
        double out1 = left ? hx - 70 : hx + 70;
        string colour = SegmentColour(s.Flags);
        string label = $"{SegmentLabel(s)} (loopback, {s.End})";
        svg.Append(Inv($"<g data-role=\"segment\" data-flags=\"{Escape(s.Flags.ToNotation())}\"{(s.Dropped ? " data-dropped=\"true\"" : "")}>"));
        svg.Append(Inv($"<path d=\"M{hx:0.#},{y - 4:0.#} C{out1:0.#},{y - 4:0.#} {out1:0.#},{y + 12:0.#} {hx:0.#},{y + 12:0.#}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"));
        svg.Append(Inv($"<text x=\"{(left ? out1 - 6 : out1 + 6):0.#}\" y=\"{y + 8:0.#}\" text-anchor=\"{(left ? "end" : "start")}\" fill=\"{colour}\">{Escape(label + (s.Dropped ? " (dropped)" : ""))}</text></g>\n"));
    }

    // RST red, FIN blue, SYN green, the rest dark: what a reader of a ladder looks for first.
    private static string SegmentColour(TcpFlags flags) =>
        (flags & TcpFlags.Rst) != 0 ? "#c62828" : (flags & TcpFlags.Fin) != 0 ? "#1565c0" : (flags & TcpFlags.Syn) != 0 ? "#2e7d32" : "#333333";

    private static string SegmentLabel(SegmentTraced s) => $"{s.Flags.ToNotation()} seq={s.Seq} ack={s.Ack}{(s.Length > 0 ? $" len={s.Length}" : "")}";

    private static void Beside(StringBuilder svg, LadderLayout layout, string host, double hx, double y, string role, string text, string? tooltip, string colour, bool bold)
    {
        bool left = OnLeft(layout, host);
        svg.Append(Inv($"<text x=\"{(left ? hx - 16 : hx + 16):0.#}\" y=\"{y + 4:0.#}\" text-anchor=\"{(left ? "end" : "start")}\" fill=\"{colour}\"{(bold ? " font-weight=\"bold\"" : "")} data-role=\"{role}\" data-host=\"{Escape(host)}\">"));
        if (tooltip is not null) svg.Append("<title>").Append(Escape(tooltip)).Append("</title>");
        svg.Append(Escape(text)).Append("</text>\n");
    }

    // Text across the host lines gets a white halo (stroke painted under the fill) so it stays readable.
    private static void Centre(StringBuilder svg, double x, double y, string role, string text, string colour, string? tooltip)
    {
        svg.Append(Inv($"<text x=\"{x:0.#}\" y=\"{y + 4:0.#}\" text-anchor=\"middle\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\" font-style=\"italic\" data-role=\"{role}\">"));
        if (tooltip is not null) svg.Append("<title>").Append(Escape(tooltip)).Append("</title>");
        svg.Append(Escape(text)).Append("</text>\n");
    }

    // The first host writes to its left, the others to their right, so text never crosses the arrows between them.
    private static bool OnLeft(LadderLayout layout, string host) => layout.Hosts.Count > 0 && layout.Hosts[0] == host;

    private static string TimerColour(TimerKind kind) => kind switch
    {
        TimerKind.Retransmit => "#e65100",
        TimerKind.Timewait => "#6a1b9a",
        TimerKind.Keepalive => "#00838f",
        _ => "#795548",
    };

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}

/// <summary>A ladder diagram as a self-contained, printable HTML page (no script, no CDN).</summary>
public static class LadderHtml
{
    /// <summary>The page for <paramref name="trace"/>.</summary>
    public static string Render(ScenarioTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        string title = LadderSvg.Escape(trace.Scenario.Title ?? Path.GetFileName(trace.Scenario.FileName));
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title + "</title>\n" +
            "<style>body{font-family:system-ui,sans-serif;margin:16px;color:#222}svg{max-width:100%;height:auto}@media print{body{margin:0}}</style></head>\n" +
            "<body><h1 style=\"font-size:18px\">" + title + "</h1>\n" +
            "<p>Ladder diagram of <code>" + LadderSvg.Escape(trace.Scenario.FileName) + "</code> played on the " + trace.Target +
            ": time goes down (long gaps collapsed, their length written at the left); arrows are segments with relative seq/ack; " +
            "states beside each host's line; brackets are timers (dashed: cancelled).</p>\n" +
            LadderSvg.Render(trace) + "</body></html>\n";
    }
}
