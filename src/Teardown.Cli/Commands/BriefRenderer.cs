using System.Globalization;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Report;

namespace Teardown.Cli.Commands;

/// <summary>
/// The grep-friendly outputs: one line per finding (<c>--brief</c>) or per socket (<c>--sockets</c>),
/// fields separated by spaces and never containing one, so that <c>awk '{print $4}'</c> works.
/// Absent values are "-", as in ss.
/// </summary>
internal static class BriefRenderer
{
    /// <summary>Header of <c>--brief</c>; the fields of every line below it, in order.</summary>
    internal const string FindingsHeader = "# severity sockets class side service owner reaped netns";

    /// <summary>Header of <c>--sockets</c>.</summary>
    internal const string SocketsHeader = "State Recv-Q Send-Q Local Peer class pid comm fd timer netns";

    internal static void Findings(TextWriter output, IReadOnlyList<DoctorReport> reports)
    {
        output.WriteLine(FindingsHeader);
        int n = 0;
        foreach (var report in reports)
        {
            foreach (var f in report.Findings)
            {
                output.WriteLine(string.Join(' ',
                    Num(++n), f.Severity.Id(), Num(f.Count), f.Class.Id(), f.Side.Id(), Field(ServiceOf(f)),
                    f.Owner is { } o ? Field($"{o.Comm ?? "?"}/{o.Pid}") : "-",
                    f.Reap.Never ? "never" : Field(f.Reap.Display), report.NetNsInode.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    internal static void Sockets(TextWriter output, IReadOnlyList<System.Collections.Immutable.ImmutableArray<StuckSocket>> perNamespace, IReadOnlyList<DoctorReport> reports)
    {
        output.WriteLine(SocketsHeader);
        for (int ns = 0; ns < perNamespace.Count; ns++)
        {
            string netns = reports[ns].NetNsInode.ToString(CultureInfo.InvariantCulture);
            foreach (var s in perNamespace[ns])
            {
                output.WriteLine(string.Join(' ',
                    s.State, Num(s.RecvQ), Num(s.SendQ), s.Local, s.Remote, s.Class.Id(),
                    s.Pid != 0 ? Num(s.Pid) : "-", Field(s.Comm), s.Fd is int fd ? Num(fd) : "-",
                    s.Timer is string t ? string.Create(CultureInfo.InvariantCulture, $"{t}:{s.TimerMs / 1000.0:0.###}s") : "-", netns));
            }
        }
    }

    // ":8080" for our server, "10.0.0.5:6379" for our client's peer.
    private static string ServiceOf(Finding f) => f.Service.Replace("local ", "", StringComparison.Ordinal).Replace("remote ", "", StringComparison.Ordinal);

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    // A field never holds a space (task names may: "tmux: server"), and an empty one is "-".
    private static string Field(string? text) => string.IsNullOrEmpty(text) ? "-" : text.Replace(' ', '_');
}
