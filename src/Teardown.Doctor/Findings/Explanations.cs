using Teardown.Doctor.Classification;

namespace Teardown.Doctor.Findings;

/// <summary>The plain-words part of a finding: mechanism, fault, fix. Pure text, keyed by class and side.</summary>
public static class Explanations
{
    private const string FinTimeoutNoHelp =
        "net.ipv4.tcp_fin_timeout and TCP_LINGER2 cannot help: they time out orphaned FIN_WAIT2 only, never CLOSE_WAIT " +
        "(net/ipv4/tcp.c:__tcp_close); tcp_tw_reuse and keepalive sysctls do not close it either";

    /// <summary>The short headline of a class.</summary>
    public static string Headline(SocketClass c) => c switch
    {
        SocketClass.CloseWaitUnreadEof => "CLOSE_WAIT: peer closed, end of stream never read",
        SocketClass.CloseWaitReadNotClosed => "CLOSE_WAIT: end of stream read, socket never closed",
        SocketClass.CloseWaitUnreadData => "CLOSE_WAIT: request bytes unread (stuck handler)",
        SocketClass.CloseWaitNeverAccepted => "CLOSE_WAIT: never accepted (accept loop starved)",
        SocketClass.FinWait2Orphaned => "FIN_WAIT2 orphaned: the kernel will reap them",
        SocketClass.FinWait2HalfClosed => "FIN_WAIT2 half-closed: never reaped",
        SocketClass.FinWait1Orphaned => "FIN_WAIT1 orphaned, retransmitting our FIN",
        SocketClass.LastAckOrphaned => "LAST_ACK orphaned, retransmitting our FIN",
        SocketClass.ClosingOrphaned => "CLOSING orphaned, retransmitting our FIN",
        SocketClass.ClosingAttached => "closing, waiting for the peer's ACK",
        SocketClass.TimeWait => "TIME_WAIT volume against the ephemeral port range",
        _ => c.Id(),
    };

    /// <summary>A label short enough for a table cell.</summary>
    public static string Short(SocketClass c) => c switch
    {
        SocketClass.CloseWaitUnreadEof => "CLOSE_WAIT, EOF unread",
        SocketClass.CloseWaitReadNotClosed => "CLOSE_WAIT, read, not closed",
        SocketClass.CloseWaitUnreadData => "CLOSE_WAIT, request unread",
        SocketClass.CloseWaitNeverAccepted => "CLOSE_WAIT, never accepted",
        SocketClass.FinWait2Orphaned => "FIN_WAIT2 orphaned",
        SocketClass.FinWait2HalfClosed => "FIN_WAIT2 half-closed",
        SocketClass.FinWait1Orphaned => "FIN_WAIT1 orphaned, retransmitting",
        SocketClass.LastAckOrphaned => "LAST_ACK orphaned, retransmitting",
        SocketClass.ClosingOrphaned => "CLOSING orphaned, retransmitting",
        SocketClass.TimeWait => "TIME_WAIT holding ports",
        _ => c.Id(),
    };

    /// <summary>Mechanism text.</summary>
    public static string Mechanism(SocketClass c, Side side) => c switch
    {
        SocketClass.CloseWaitUnreadEof =>
            "The peer sent FIN; the kernel acknowledged it and put the socket in CLOSE_WAIT. Recv-Q is 1: the FIN itself is still " +
            "queued, so the application has not even read() this socket since (idle pooled connection, or a handler that never reads). " +
            "CLOSE_WAIT has no timer; it lives as long as the descriptor.",
        SocketClass.CloseWaitReadNotClosed =>
            "The peer sent FIN and the application read the end of stream (read() returned 0, Recv-Q is 0) but never called close(): " +
            "the classic missing close on an EOF or error path. CLOSE_WAIT has no timer; it lives as long as the descriptor.",
        SocketClass.CloseWaitUnreadData =>
            "The peer sent a request and then FIN; Recv-Q holds the request bytes plus the FIN, unread. The handler for this " +
            "connection is stuck (blocked on a lock, a downstream call, a full thread pool) or was never scheduled.",
        SocketClass.CloseWaitNeverAccepted =>
            "The connection completed the handshake and waited in the listen backlog; the client gave up and closed before the " +
            "application called accept(). Inode 0: no descriptor exists yet. The accept loop is starved or too slow.",
        SocketClass.FinWait2Orphaned =>
            "We closed first and the peer acknowledged our FIN but has not sent its own. No process holds these sockets; the kernel " +
            "keeps them for tcp_fin_time and then frees them silently. Often the other half of a CLOSE_WAIT leak on the peer.",
        SocketClass.FinWait2HalfClosed =>
            "The application called shutdown(SHUT_WR) and kept the descriptor; the peer acknowledged our FIN but never sent its own. " +
            "A socket with a descriptor has no FIN_WAIT2 timer, so the kernel never reaps it.",
        SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned =>
            "We closed; our FIN (and perhaps data) is unacknowledged and being retransmitted with exponential backoff. The peer " +
            "does not answer: it is unreachable, gone, or a firewall drops the segments. The kernel gives up after tcp_orphan_retries.",
        SocketClass.ClosingAttached =>
            "The application shut the socket down and the FIN awaits the peer's acknowledgement; usually transient.",
        SocketClass.TimeWait => side == Side.Client
            ? "Each connection we close first leaves a TIME_WAIT for 60 s that keeps its local port bound to this destination; a " +
              "high rate of short connections to one destination uses up the ephemeral port range."
            : "Connections this server closes first stay in TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN); harmless for ports, costs memory.",
        _ => "",
    };

    /// <summary>Whose side is at fault.</summary>
    public static string Fault(SocketClass c, Side side) => c switch
    {
        SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData => side switch
        {
            Side.Server => "our server application: it does not close connections its clients have closed",
            Side.Client => "our client (connection pool): it keeps connections the server already closed (server idle timeout shorter than the pool's)",
            _ => "the local application holding the descriptor",
        },
        SocketClass.CloseWaitNeverAccepted => "our server: its accept loop does not keep up with incoming connections",
        SocketClass.FinWait2Orphaned => "the peer: it does not close after we closed (look for CLOSE_WAIT on the peer)",
        SocketClass.FinWait2HalfClosed => "shared: our application half-closed and waits; the peer never sends its FIN",
        SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned => "the network or the peer host: our segments get no answer",
        SocketClass.TimeWait => side == Side.Client ? "our client: it opens and closes connections instead of reusing them" : "nobody: normal for a server that closes first",
        _ => "",
    };

    /// <summary>The fix, including what will not help.</summary>
    /// <param name="c">The class.</param>
    /// <param name="side">Our server or our client.</param>
    /// <param name="peerOnHost">
    /// The other end of every socket was seen on this host, so what the peer does is known, not
    /// assumed (claims about a remote peer are qualified otherwise).
    /// </param>
    /// <param name="command">
    /// The <c>teardown release</c> / <c>kill</c> command for this finding (<see cref="RemediationCommand.For"/>), or null
    /// when none applies or the owner is unknown.
    /// </param>
    public static IReadOnlyList<string> Fix(SocketClass c, Side side, bool peerOnHost = false, string? command = null) => c switch
    {
        SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData => side == Side.Client
            ?
            [
                "Give the pool an idle timeout shorter than the server's keep-alive/idle timeout, and validate or evict connections whose read returns end of stream.",
                "Read the end of stream and close() on every path, including errors and cancellations.",
                FinTimeoutNoHelp,
                ReleaseNow(command),
            ]
            :
            [
                c == SocketClass.CloseWaitUnreadData
                    ? "Find what blocks the handlers (thread dump: threads waiting on a lock, a downstream call or a full pool); add timeouts."
                    : "Read until end of stream and close() on every path: errors, timeouts, cancellation (use try/finally, using, defer).",
                FinTimeoutNoHelp,
                peerOnHost
                    ? "Enabling SO_KEEPALIVE does not help either: the peer (on this host) is alive and answers the probes."
                    : "Enabling SO_KEEPALIVE helps only if the peer host is gone or unreachable: a peer that is still up (as one that closed cleanly usually is) answers the probes, and the socket stays.",
                ReleaseNow(command),
            ],
        SocketClass.CloseWaitNeverAccepted =>
        [
            "Make the accept loop independent of request handling (dedicated acceptor, more workers) and check the listen backlog (LISTEN Recv-Q).",
            "These sockets are freed when the application finally accepts and closes them, or the listener closes.",
            FinTimeoutNoHelp,
        ],
        SocketClass.FinWait2Orphaned =>
        [
            "No action needed on this host: the kernel frees them after tcp_fin_time.",
            "Lowering net.ipv4.tcp_fin_timeout shortens their life; above 60 s the total is 2X−120 s (tcp_keepalive_timer), not X.",
            "Fix the peer that never closes (it holds CLOSE_WAIT sockets).",
            .. KillNow(command, "If they must go sooner: ",
                "drops them silently; the peer stays in CLOSE_WAIT and its later FIN is answered by an RST"),
        ],
        SocketClass.FinWait2HalfClosed =>
        [
            "After shutdown(SHUT_WR), read to end of stream with a timeout and then close(); close() turns it into an orphan that the kernel reaps.",
            "tcp_fin_timeout does not apply while the descriptor is open.",
            "Not `teardown release`: our FIN is already sent, so a shutdown from outside changes nothing on the wire and would turn the peer's " +
            "later data into a reset (docs/release-and-kill.md); only the application closing them, or its restart, ends them.",
        ],
        SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned =>
        [
            "Check reachability of the peer (routes, firewalls, a dead host).",
            "net.ipv4.tcp_orphan_retries bounds how long the kernel retries (0 means 8: about 102 s from the first retransmission).",
            .. KillNow(command, "Now: ", c == SocketClass.FinWait1Orphaned
                ? "frees them at once instead of waiting for the retries to run out (the peer is sent an RST)"
                : "frees them at once instead of waiting for the retries to run out (no RST: they vanish silently)"),
        ],
        SocketClass.TimeWait => side == Side.Client
            ?
            [
                "Reuse connections (keep-alive, a pool) instead of one connection per request.",
                "net.ipv4.tcp_tw_reuse=1 lets connect() reuse TIME_WAIT ports safely with timestamps; widening ip_local_port_range helps too.",
            ]
            : ["Nothing to fix; tcp_max_tw_buckets caps their number."],
        _ => [],
    };

    // The "now" line of a CLOSE_WAIT finding: the release command when there is one, else a restart.
    private static string ReleaseNow(string? command) => command is null
        ? "Now: restarting the process frees them, descriptors included; SOCK_DESTROY (ss -K) drops the TCP state but leaves the descriptors leaked."
        : $"Now, without a restart: `{command}` prints what it would do (a dry run); add --apply to act. Each connection gets our FIN as if the " +
          "application had closed it (no RST, even with unread data); the application's descriptors stay open (its next read returns end of stream) " +
          "until it closes them or restarts.";

    private static string[] KillNow(string? command, string lead, string effect) => command is null
        ? []
        : [$"{lead}`{command}` prints what it would do (a dry run); add --apply to act: SOCK_DESTROY {effect}."];
}
