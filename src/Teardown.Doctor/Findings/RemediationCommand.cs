using System.Globalization;
using Teardown.Doctor.Classification;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Findings;

/// <summary>
/// The exact <c>teardown release</c> or <c>teardown kill</c> command that clears one finding's
/// sockets, selected the way the finding groups them (class, owner, service). Pure; every value is a
/// number, a class id or an address, so nothing needs shell quoting. Without <c>--apply</c> both
/// commands only print their plan. What each action does per class: docs/release-and-kill.md.
/// </summary>
public static class RemediationCommand
{
    /// <summary>
    /// The command for a finding of class <paramref name="c"/> on <paramref name="side"/> held by
    /// <paramref name="pid"/> (null: no process) against <paramref name="service"/> (our server's
    /// port, or the remote endpoint our client talks to), or null when neither action applies:
    /// <list type="bullet">
    /// <item>CLOSE_WAIT held by a process (unread EOF, read not closed, unread data):
    /// <c>teardown release --pid P --class ID --port N</c> (our server) or <c>--remote ADDR:PORT</c> (our client).</item>
    /// <item>Orphaned FIN_WAIT1, LAST_ACK, CLOSING, FIN_WAIT2 (no process):
    /// <c>teardown kill --class ID --port N</c> or <c>--remote ADDR:PORT</c>.</item>
    /// <item>Nothing for a half-closed FIN_WAIT2 (our FIN is already sent: a shutdown from outside changes
    /// nothing on the wire), a never-accepted CLOSE_WAIT, TIME_WAIT, or a CLOSE_WAIT whose owner is unknown.</item>
    /// </list>
    /// </summary>
    public static string? For(SocketClass c, Side side, int? pid, InetEndpoint service)
    {
        string where = side == Side.Server
            ? string.Create(CultureInfo.InvariantCulture, $"--port {service.Port}")
            : $"--remote {service}";
        return c switch
        {
            SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData when pid is int p and > 0 =>
                string.Create(CultureInfo.InvariantCulture, $"teardown release --pid {p} --class {c.Id()} {where}"),
            SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned or SocketClass.FinWait2Orphaned when pid is null or 0 =>
                $"teardown kill --class {c.Id()} {where}",
            _ => null,
        };
    }

    /// <summary>True when the command is a release (else a kill).</summary>
    public static bool IsRelease(string command) => command?.StartsWith("teardown release ", StringComparison.Ordinal) ?? throw new ArgumentNullException(nameof(command));
}
