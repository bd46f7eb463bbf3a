namespace Teardown.Model.Kernel;

/// <summary>
/// Why a state changed: a short explanation and the kernel function whose rule it follows.
/// Every transition the model makes carries one, so a trace explains itself.
/// </summary>
public sealed record Cause(string Text, string KernelRef)
{
    public override string ToString() => $"{Text} [{KernelRef}]";
}

/// <summary>The causes the model records.</summary>
public static class Causes
{
    public static readonly Cause Listen = new("listen()", "af_inet.c:inet_listen");
    public static readonly Cause ConnectCalled = new("connect() sent SYN", "tcp_ipv4.c:tcp_v4_connect");
    public static readonly Cause SynReceived = new("SYN for a listener: request socket", "tcp_input.c:tcp_conn_request");
    public static readonly Cause SynAckReceived = new("SYN-ACK received", "tcp_input.c:tcp_rcv_synsent_state_process");
    public static readonly Cause HandshakeAck = new("final ACK of the handshake", "tcp_minisocks.c:tcp_check_req");
    public static readonly Cause CloseCalled = new("close(): FIN queued", "tcp.c:__tcp_close, tcp_close_state");
    public static readonly Cause ShutdownWrite = new("shutdown(SHUT_WR): FIN queued", "tcp.c:tcp_shutdown");
    public static readonly Cause CloseInSynSent = new("close() in SYN_SENT", "tcp.c:tcp_close_state");
    public static readonly Cause CloseUnreadData = new("close() with unread data: RST", "tcp.c:__tcp_close");
    public static readonly Cause LingerZero = new("SO_LINGER {1,0}: abort", "tcp.c:tcp_disconnect");
    public static readonly Cause Linger2Negative = new("TCP_LINGER2 < 0 in FIN_WAIT2 at close: RST", "tcp.c:__tcp_close");
    public static readonly Cause TooManyOrphans = new("too many orphans at close", "tcp.c:__tcp_close, tcp_check_oom");
    public static readonly Cause OrphanFinWait2ToTimewait = new("orphan FIN_WAIT2: timewait socket for tcp_fin_time", "tcp_minisocks.c:tcp_time_wait");
    public static readonly Cause OrphanFinWait2Keepalive = new("orphan FIN_WAIT2: keepalive timer for tcp_fin_time − 60 s", "tcp_input.c:tcp_rcv_state_process");
    public static readonly Cause FinReceived = new("FIN received", "tcp_input.c:tcp_fin");
    public static readonly Cause AckOfFin = new("ACK of our FIN", "tcp_input.c:tcp_rcv_state_process");
    public static readonly Cause AckOfFinLastAck = new("ACK of our FIN in LAST_ACK", "tcp_input.c:tcp_rcv_state_process, tcp_done");
    public static readonly Cause ResetReceived = new("RST received", "tcp_input.c:tcp_reset");
    public static readonly Cause AbortOnData = new("data after close/SHUT_RD: abort", "tcp_input.c:tcp_rcv_state_process");
    public static readonly Cause Linger2AtAck = new("TCP_LINGER2 < 0 when the ACK of our FIN arrived: abort", "tcp_input.c:tcp_rcv_state_process");
    public static readonly Cause RetransmitGiveUp = new("retransmissions exhausted", "tcp_timer.c:tcp_write_timeout, tcp_write_err");
    public static readonly Cause SynGiveUp = new("SYN retransmissions exhausted", "tcp_timer.c:tcp_write_timeout");
    public static readonly Cause KeepaliveGiveUp = new("keepalive probes unanswered", "tcp_timer.c:tcp_keepalive_timer");
    public static readonly Cause FinWait2KeepaliveExpired = new("orphan FIN_WAIT2 keepalive-timer stage over: timewait socket", "tcp_timer.c:tcp_keepalive_timer");
    public static readonly Cause FinWait2KeepaliveReset = new("orphan FIN_WAIT2 timer with nothing left: RST", "tcp_timer.c:tcp_keepalive_timer");
    public static readonly Cause TimewaitExpired = new("timewait timer expired", "inet_timewait_sock.c:tw_timer_handler");
    public static readonly Cause TimewaitFin = new("FIN in timewait FIN_WAIT2: TIME_WAIT", "tcp_minisocks.c:tcp_timewait_state_process");
    public static readonly Cause TimewaitKilled = new("timewait socket killed by a segment", "tcp_minisocks.c:tcp_timewait_state_process");
    public static readonly Cause TimewaitOverflow = new("tcp_max_tw_buckets reached: no timewait socket", "tcp_minisocks.c:tcp_time_wait");
    public static readonly Cause EnterTimeWait = new("TIME_WAIT: timewait socket for 60 s", "tcp_minisocks.c:tcp_time_wait");
    public static readonly Cause Done = new("socket done", "tcp.c:tcp_done");
    public static readonly Cause Destroyed = new("orphan destroyed", "tcp.c:tcp_done, inet_csk_destroy_sock");
    public static readonly Cause Released = new("descriptor closed on a CLOSE socket: freed", "tcp.c:__tcp_close");
    public static readonly Cause ProcessExit = new("process exit: descriptor closed", "af_inet.c:inet_release");
    public static readonly Cause HostCrash = new("host crashed: state lost", "scenario: crash");
    public static readonly Cause ListenerClosed = new("listener closed: queued child reset", "inet_connection_sock.c:inet_csk_listen_stop");
    public static readonly Cause ConnectFailed = new("a failed connect() disconnects its socket", "af_inet.c:__inet_stream_connect, tcp.c:tcp_disconnect");
    public static readonly Cause ShutdownSynSent = new("shutdown() in SYN_SENT aborts connect", "tcp.c:tcp_disconnect");
    public static readonly Cause ReleaseShutdownWrite = new("release: shutdown(SHUT_WR) on a pidfd_getfd duplicate: FIN queued", "pid.c:pidfd_getfd, tcp.c:tcp_shutdown");
    public static readonly Cause SockDestroy = new("SOCK_DESTROY: aborted (ECONNABORTED)", "tcp_diag.c:tcp_diag_destroy, tcp.c:tcp_abort");
    public static readonly Cause DestroyTimewait = new("SOCK_DESTROY of a timewait socket: descheduled silently", "tcp.c:tcp_abort, inet_timewait_sock.c:inet_twsk_deschedule_put");
    public static readonly Cause DestroyRequest = new("SOCK_DESTROY of a request socket: dropped", "tcp.c:tcp_abort, inet_connection_sock.c:inet_csk_reqsk_queue_drop");
    public static readonly Cause SynAckGiveUp = new("SYN-ACK retransmissions exhausted", "inet_connection_sock.c:reqsk_timer_handler");
}
