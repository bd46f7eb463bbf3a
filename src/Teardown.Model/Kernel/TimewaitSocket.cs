namespace Teardown.Model.Kernel;

/// <summary>
/// The timewait mini-socket (inet_timewait_sock + tcp_timewait_sock): sk_state is always TIME_WAIT; its
/// substate is FIN_WAIT2 or TIME_WAIT. It keeps only sequence numbers, the window and one timer —
/// no queues, no sk_err, no descriptor (inet_timewait_sock.c:inet_twsk_alloc).
/// </summary>
public sealed class TimewaitSocket : SocketBase
{
    internal TimewaitSocket(Host host, FourTuple tuple)
        : base(host, tuple)
    {
    }

    /// <summary>tw_substate: FIN_WAIT2 or TIME_WAIT.</summary>
    public TcpState Substate { get; internal set; }

    public uint RcvNxt { get; internal set; }

    public uint SndNxt { get; internal set; }

    public uint RcvWnd { get; internal set; }

    internal uint Iss { get; set; }

    internal uint Irs { get; set; }

    internal uint TsRecent { get; set; }

    internal SimTime LastOowAckTime = SimTime.Never;
}
