using System.Globalization;
using System.Net;
using System.Text;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Export;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown doctor --html FILE</c>: the report as one self-contained, printable page — the findings
/// with their explanations, the ages of CLOSE_WAIT and FIN_WAIT2 sockets, owners by descriptor
/// headroom, ephemeral ports per destination. No script and nothing fetched: inline CSS and SVG only,
/// every string from the host HTML-encoded.
/// </summary>
internal static class DoctorHtml
{
    /// <summary>The charts' buckets: serve's histogram bounds (<see cref="ExportView.AgeBucketSeconds"/>) and one beyond the last.</summary>
    private static readonly (double Upper, string Label)[] AgeBuckets = BucketsWithLabels();

    private static (double Upper, string Label)[] BucketsWithLabels()
    {
        var bounds = ExportView.AgeBucketSeconds;
        var buckets = new List<(double, string)> { (bounds[0], "<" + Span(bounds[0])) };
        for (int i = 1; i < bounds.Count; i++) buckets.Add((bounds[i], $"{Span(bounds[i - 1])}–{Span(bounds[i])}"));
        buckets.Add((double.PositiveInfinity, ">" + Span(bounds[^1])));
        return [.. buckets];
    }

    private static string Span(double seconds) => seconds switch
    {
        >= 86400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0.#}d"),
        >= 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#}h"),
        >= 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#}s"),
    };

    internal static string Render(IReadOnlyList<DoctorReport> reports, ExportView view, DateTimeOffset at)
    {
        var h = new StringBuilder();
        h.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>teardown doctor</title>\n<style>")
         .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#1d1d1f;max-width:1100px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}")
         .Append(".finding{border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:12px 0;break-inside:avoid}.sev{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-right:6px}")
         .Append(".high{background:#c62828}.medium{background:#ef6c00}.low{background:#9e9d24}.info{background:#607d8b}dt{font-weight:600;margin-top:6px}dd{margin-left:16px}")
         .Append("table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left}code{background:#f4f4f4;padding:1px 4px;border-radius:3px}")
         .Append("@media print{body{margin:0}.finding{border-color:#999}}</style></head>\n<body>\n");
        int findings = reports.Sum(r => r.Findings.Length);
        h.Append("<h1>teardown doctor</h1>\n<p data-testid=\"summary\">")
         .Append(E(string.Create(CultureInfo.InvariantCulture, $"{reports.Sum(r => r.Total):N0} TCP sockets in {reports.Count} network namespace{(reports.Count == 1 ? "" : "s")}, {findings} finding{(findings == 1 ? "" : "s")}; taken {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.")))
         .Append("</p>\n");

        h.Append("<h2>Findings</h2>\n");
        if (findings == 0) h.Append("<p>Nothing stuck: no finding.</p>\n");
        int n = 0;
        foreach (var report in reports)
        {
            foreach (var f in report.Findings) Finding(h, ++n, f, reports.Count > 1 ? report.NetNsInode : null);
        }

        h.Append("<h2>How long CLOSE_WAIT and FIN_WAIT2 sockets have been quiet</h2>\n");
        h.Append("<p>Seconds since the last segment received (tcp_info), per socket.</p>\n");
        Histogram(h, "CLOSE_WAIT", view.CloseWaitAges, "#c62828");
        Histogram(h, "FIN_WAIT2", view.FinWait2Ages, "#1565c0");

        h.Append("<h2>Owners by descriptor headroom</h2>\n<table data-testid=\"owners\"><tr><th>process</th><th>open descriptors</th><th>limit</th><th>headroom</th><th>stuck sockets</th><th></th></tr>\n");
        foreach (var o in view.Owners.Where(o => o.Pid > 0).OrderBy(o => o.FdLimit is long l ? l - o.OpenFds : long.MaxValue).ThenByDescending(o => o.StuckSockets).Take(20))
        {
            double used = o.FdLimit is long limit and > 0 ? Math.Min(1, o.OpenFds / (double)limit) : 0;
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(o.Command)} ({o.Pid})</td><td>{o.OpenFds:N0}</td><td>{(o.FdLimit is long l2 ? l2.ToString("N0", CultureInfo.InvariantCulture) : "?")}</td>")
             .Append(CultureInfo.InvariantCulture, $"<td>{(o.FdLimit is long l3 ? (l3 - o.OpenFds).ToString("N0", CultureInfo.InvariantCulture) : "?")}</td><td>{o.StuckSockets:N0}</td><td>{Bar(used, used > 0.8 ? "#c62828" : "#607d8b")}</td></tr>\n");
        }

        h.Append("</table>\n<h2>Ephemeral ports per destination</h2>\n");
        h.Append(CultureInfo.InvariantCulture, $"<p>Against the local port range of {view.PortRangeSize:N0} ports (ip_local_port_range).</p>\n<table data-testid=\"ports\"><tr><th>destination</th><th>in use</th><th>TIME_WAIT</th><th>of the range</th><th></th></tr>\n");
        foreach (var d in view.Destinations.Take(20))
        {
            double share = view.PortRangeSize > 0 ? Math.Min(1, d.InUse / (double)view.PortRangeSize) : 0;
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(d.Destination)}</td><td>{d.InUse:N0}</td><td>{d.TimeWait:N0}</td><td>{share:P0}</td><td>{Bar(share, share > 0.5 ? "#ef6c00" : "#607d8b")}</td></tr>\n");
        }

        h.Append("</table>\n<h2>Sockets by state</h2>\n<table data-testid=\"states\"><tr><th>state</th><th>sockets</th></tr>\n");
        for (int s = 0; s < view.States.Length; s++)
        {
            if (view.States[s] > 0) h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(((TcpState)s).ToLinuxName())}</td><td>{view.States[s]:N0}</td></tr>\n");
        }

        h.Append("</table>\n<p style=\"color:#666;font-size:12px\">Written by teardown doctor --html. Each finding's mechanism cites the kernel function it follows.</p>\n</body></html>\n");
        return h.ToString();
    }

    private static void Finding(StringBuilder h, int n, Finding f, ulong? netns)
    {
        string sev = f.Severity.Id();
        h.Append(CultureInfo.InvariantCulture, $"<section class=\"finding\" data-testid=\"finding\"><h3><span class=\"sev {sev}\">{sev}</span>{n}. {E(f.Title)}</h3>\n<dl>");
        if (netns is ulong ns) h.Append(CultureInfo.InvariantCulture, $"<dt>namespace</dt><dd>{ns}</dd>");
        h.Append("<dt>fault</dt><dd>").Append(E(f.Fault)).Append("</dd>");
        h.Append("<dt>why</dt><dd>").Append(E(f.Mechanism)).Append("</dd>");
        h.Append("<dt>reaped</dt><dd>").Append(E(f.Reap.Never ? "never by time alone — " + f.Reap.Explanation : f.Reap.Display + " — " + f.Reap.Explanation)).Append("</dd>");
        if (f.Owner is { } o) h.Append(CultureInfo.InvariantCulture, $"<dt>owner</dt><dd>{E(o.Display)}: {o.FdCount:N0} descriptors open{(o.FdLimit is long l ? $" of {l:N0}" : "")}</dd>");
        h.Append("<dt>fix</dt><dd><ul>");
        foreach (string fix in f.Fix) h.Append("<li>").Append(E(fix)).Append("</li>");
        h.Append("</ul></dd>");
        if (f.Remediation is string command) h.Append("<dt>clear it now</dt><dd><code>").Append(E(command)).Append("</code> (a dry run; add <code>--apply</code> to act)</dd>");
        h.Append("</dl>\n");
        if (f.Examples.Count > 0)
        {
            h.Append("<table><tr><th>state</th><th>Recv-Q</th><th>Send-Q</th><th>local</th><th>peer</th></tr>");
            foreach (var x in f.Examples.Take(3)) h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(x.State)}</td><td>{x.RecvQ}</td><td>{x.SendQ}</td><td>{E(x.Local)}</td><td>{E(x.Remote)}</td></tr>");
            h.Append("</table>\n");
        }

        h.Append("</section>\n");
    }

    private static void Histogram(StringBuilder h, string state, IReadOnlyList<double> ages, string colour)
    {
        var counts = new int[AgeBuckets.Length];
        foreach (double age in ages)
        {
            int b = 0;
            while (age >= AgeBuckets[b].Upper) b++;
            counts[b]++;
        }

        int max = Math.Max(1, counts.Max());
        const int barWidth = 56, height = 150;
        int width = 16 + AgeBuckets.Length * (barWidth + 6);
        h.Append(CultureInfo.InvariantCulture, $"<figure data-testid=\"ages-{state.ToLowerInvariant()}\"><figcaption>{state}: {ages.Count:N0} sockets{(ages.Count > 0 ? $", oldest {Math.Round(ages.Max()):N0} s" : "")}</figcaption>");
        h.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + 36}\" role=\"img\" aria-label=\"{state} ages\">");
        for (int i = 0; i < counts.Length; i++)
        {
            double bar = counts[i] == 0 ? 0 : Math.Max(2, counts[i] * (double)height / max);
            double x = 8 + i * (barWidth + 6);
            h.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0}\" y=\"{height - bar + 12:0.#}\" width=\"{barWidth}\" height=\"{bar:0.#}\" fill=\"{colour}\"><title>{AgeBuckets[i].Label}: {counts[i]}</title></rect>");
            if (counts[i] > 0) h.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + barWidth / 2.0:0.#}\" y=\"{height - bar + 8:0.#}\" text-anchor=\"middle\" font-size=\"11\">{counts[i]:N0}</text>");
            h.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + barWidth / 2.0:0.#}\" y=\"{height + 28}\" text-anchor=\"middle\" font-size=\"11\">{E(AgeBuckets[i].Label)}</text>");
        }

        h.Append("</svg></figure>\n");
    }

    private static string Bar(double fraction, string colour) => string.Create(CultureInfo.InvariantCulture,
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"10\"><rect width=\"120\" height=\"10\" fill=\"#eee\"/><rect width=\"{fraction * 120:0.#}\" height=\"10\" fill=\"{colour}\"/></svg>");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
