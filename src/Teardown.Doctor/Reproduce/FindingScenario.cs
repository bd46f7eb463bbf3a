using System.Globalization;
using System.Text;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Linux.Settings;

namespace Teardown.Doctor.Reproduce;

/// <summary>
/// A finding as a runnable <c>.scn</c> scenario (<c>teardown doctor --scenario N</c>): two hosts, the
/// calls that lead to the finding's mechanism, the host's observed settings, and expectations of the
/// state it ends in — what a user attaches to a bug report, and what <c>teardown run</c> (the model)
/// and <c>teardown diff</c> (model against the kernel) play. Pure text; written with the timings a
/// person would use (accept 10 ms after connect).
/// </summary>
public static class FindingScenario
{
    /// <summary>The classes this can reproduce; the others have no two-host story of their own.</summary>
    public static IReadOnlySet<SocketClass> Reproducible { get; } = new HashSet<SocketClass>
    {
        SocketClass.CloseWaitUnreadEof, SocketClass.CloseWaitReadNotClosed, SocketClass.CloseWaitUnreadData,
        SocketClass.FinWait2Orphaned, SocketClass.FinWait2HalfClosed, SocketClass.FinWait1Orphaned,
        SocketClass.LastAckOrphaned, SocketClass.TimeWait,
    };

    /// <summary>The scenario for <paramref name="finding"/> (number <paramref name="number"/>), or null when its class has none.</summary>
    public static string? For(Finding finding, int number, NetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(settings);
        if (!Reproducible.Contains(finding.Class)) return null;

        // The finding's socket is "ours"; which end of the connection that is follows its side.
        bool server = finding.Side != Side.Client;
        var r = new Roles(server ? "server" : "client", server ? "client" : "server", server ? "S" : "C", server ? "C" : "S");
        int finTimeout = settings.TcpFinTimeout ?? 60;
        // Past the orphan timer plus the timer wheel's slack for a minute-long timer (kernel/time/timer.c: 4 s granularity at that level).
        string reaped = Seconds(finTimeout + 5);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"scenario \"finding {number}: {Quote(finding.Title)} — reproduced\"\n");
        text.Append(CultureInfo.InvariantCulture, $"# teardown doctor --scenario {number}: {finding.Count} × {finding.Class.Id()}, {finding.Side.Id()} side{(finding.Owner is { } o ? ", held by " + o.Display : "")}, service {finding.Service}.\n");
        text.Append("# Our end is ").Append(r.Ours).Append(" on host ").Append(r.Us).Append("; run it on the model (teardown run) or against the kernel (teardown diff).\n");
        text.Append("host client\nhost server\n");
        text.Append(CultureInfo.InvariantCulture, $"sysctl client net.ipv4.tcp_fin_timeout={finTimeout}\n");
        text.Append(CultureInfo.InvariantCulture, $"sysctl server net.ipv4.tcp_fin_timeout={finTimeout}\n\n");
        text.Append("0       server listen L 8080\n");
        text.Append("0       client connect C server:8080          = 0\n");
        text.Append("+0.01   server accept S L                     = 0\n");
        foreach (string line in Timeline(finding.Class, r, reaped)) text.Append(line).Append('\n');
        return text.ToString();
    }

    private static IEnumerable<string> Timeline(SocketClass c, Roles r, string reaped) => c switch
    {
        SocketClass.CloseWaitUnreadEof =>
        [
            $"+0.1    {r.Peer} close {r.Theirs}                         = 0   # the peer closes",
            $"+0.1    expect {r.Ours} CLOSE_WAIT recvq=1             # its FIN arrived; our application never reads it",
            $"+0      expect {r.Theirs} FIN_WAIT2 orphan=yes",
            $"{reaped,-7} expect {r.Theirs} GONE                        # the peer's orphan is reaped after tcp_fin_timeout",
            $"+0      expect {r.Ours} CLOSE_WAIT recvq=1             # ours never is: only close() ends it",
        ],
        SocketClass.CloseWaitReadNotClosed =>
        [
            $"+0.1    {r.Peer} close {r.Theirs}                         = 0",
            $"+0.1    {r.Us} recv {r.Ours} 100                       = 0   # our application reads the end of stream ...",
            $"+0      expect {r.Ours} CLOSE_WAIT recvq=0             # ... and never closes",
            $"{reaped,-7} expect {r.Ours} CLOSE_WAIT recvq=0",
        ],
        SocketClass.CloseWaitUnreadData =>
        [
            $"+0.1    {r.Peer} send {r.Theirs} 100                      = 100",
            $"+0.01   {r.Peer} close {r.Theirs}                         = 0",
            $"+0.1    expect {r.Ours} CLOSE_WAIT recvq=101           # data and FIN unread",
            $"{reaped,-7} expect {r.Ours} CLOSE_WAIT recvq=101",
        ],
        SocketClass.FinWait2Orphaned =>
        [
            $"+0.1    {r.Us} close {r.Ours}                         = 0   # we close; the peer never does",
            $"+0.1    expect {r.Ours} FIN_WAIT2 orphan=yes",
            $"+0      expect {r.Theirs} CLOSE_WAIT recvq=1",
            $"{reaped,-7} expect {r.Ours} GONE                        # reaped after tcp_fin_timeout, silently",
            $"+0      expect {r.Theirs} CLOSE_WAIT recvq=1",
        ],
        SocketClass.FinWait2HalfClosed =>
        [
            $"+0.1    {r.Us} shutdown {r.Ours} WR                    = 0   # half-close, and keep the descriptor",
            $"+0.1    expect {r.Ours} FIN_WAIT2 orphan=no",
            $"{reaped,-7} expect {r.Ours} FIN_WAIT2 orphan=no            # no timer: only the peer's FIN ends it",
        ],
        SocketClass.FinWait1Orphaned =>
        [
            $"+0.1    net drop {r.Peer}->{r.Us}                     # the peer stops answering",
            $"+0.01   {r.Us} send {r.Ours} 100                      = 100",
            $"+0.01   {r.Us} close {r.Ours}                         = 0",
            $"+1      expect {r.Ours} FIN_WAIT1 timer=retransmit orphan=yes",
        ],
        SocketClass.LastAckOrphaned =>
        [
            $"+0.1    {r.Peer} close {r.Theirs}                         = 0",
            $"+0.1    net drop {r.Peer}->{r.Us}                     # the peer stops answering",
            $"+0.01   {r.Us} close {r.Ours}                         = 0",
            $"+1      expect {r.Ours} LAST_ACK timer=retransmit orphan=yes",
        ],
        SocketClass.TimeWait =>
        [
            $"+0.1    {r.Us} close {r.Ours}                         = 0   # we close first ...",
            $"+0.01   {r.Peer} close {r.Theirs}                         = 0",
            $"+0.1    expect {r.Ours} TIME_WAIT timer=timewait       # ... so our end waits 60 s",
            $"+63     expect {r.Ours} GONE                     # 60 s, plus up to 2 s until the timer wheel runs the timer",
        ],
        _ => [],
    };

    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Quote(string text) => text.Replace("\"", "'", StringComparison.Ordinal);

    private readonly record struct Roles(string Us, string Peer, string Ours, string Theirs);
}
