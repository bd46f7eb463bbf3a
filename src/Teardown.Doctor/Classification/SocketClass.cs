namespace Teardown.Doctor.Classification;

/// <summary>Why a non-listening socket is in its state, as far as the kernel's fields tell.</summary>
public enum SocketClass : byte
{
    /// <summary>State not covered by a rule.</summary>
    Other = 0,
    /// <summary>ESTABLISHED.</summary>
    Established,
    /// <summary>SYN_SENT, SYN_RECV, NEW_SYN_RECV: a handshake in progress.</summary>
    Opening,
    /// <summary>CLOSE_WAIT, Recv-Q 1: the peer closed; the application never read the end of stream.</summary>
    CloseWaitUnreadEof,
    /// <summary>CLOSE_WAIT, Recv-Q 0: the application read the end of stream but never closed.</summary>
    CloseWaitReadNotClosed,
    /// <summary>CLOSE_WAIT, Recv-Q &gt; 1: request bytes and the FIN unread: a stuck handler.</summary>
    CloseWaitUnreadData,
    /// <summary>CLOSE_WAIT, inode 0: never accept()ed; the accept loop is starved.</summary>
    CloseWaitNeverAccepted,
    /// <summary>FIN_WAIT2 without a descriptor: the kernel reaps it after tcp_fin_time.</summary>
    FinWait2Orphaned,
    /// <summary>FIN_WAIT2 with a descriptor (shutdown(SHUT_WR) without close): never reaped by time.</summary>
    FinWait2HalfClosed,
    /// <summary>FIN_WAIT1 without a descriptor: our FIN is being retransmitted.</summary>
    FinWait1Orphaned,
    /// <summary>LAST_ACK without a descriptor: our FIN is being retransmitted.</summary>
    LastAckOrphaned,
    /// <summary>CLOSING without a descriptor: our FIN is being retransmitted.</summary>
    ClosingOrphaned,
    /// <summary>FIN_WAIT1, LAST_ACK or CLOSING still held by a descriptor: waiting for the peer's ACK.</summary>
    ClosingAttached,
    /// <summary>TIME_WAIT mini-socket.</summary>
    TimeWait,
    /// <summary>Bound but neither listening nor connected (state CLOSE).</summary>
    BoundOnly,
}

/// <summary>Which end of the connection this host plays.</summary>
public enum Side : byte
{
    /// <summary>Neither the listening-port nor the ephemeral-port rule decided.</summary>
    Unknown = 0,
    /// <summary>Our server: the local port is a listening port.</summary>
    Server,
    /// <summary>Our client: the local port is in ip_local_port_range.</summary>
    Client,
}

/// <summary>Names used in JSON and tables (stable).</summary>
public static class ClassNames
{
    /// <summary>The stable kebab-case id of a class.</summary>
    public static string Id(this SocketClass c) => c switch
    {
        SocketClass.Established => "established",
        SocketClass.Opening => "opening",
        SocketClass.CloseWaitUnreadEof => "close-wait-unread-eof",
        SocketClass.CloseWaitReadNotClosed => "close-wait-read-not-closed",
        SocketClass.CloseWaitUnreadData => "close-wait-unread-data",
        SocketClass.CloseWaitNeverAccepted => "close-wait-never-accepted",
        SocketClass.FinWait2Orphaned => "fin-wait2-orphaned",
        SocketClass.FinWait2HalfClosed => "fin-wait2-half-closed",
        SocketClass.FinWait1Orphaned => "fin-wait1-orphaned",
        SocketClass.LastAckOrphaned => "last-ack-orphaned",
        SocketClass.ClosingOrphaned => "closing-orphaned",
        SocketClass.ClosingAttached => "closing-attached",
        SocketClass.TimeWait => "time-wait",
        SocketClass.BoundOnly => "bound-only",
        _ => "other",
    };

    /// <summary>The stable id of a side.</summary>
    public static string Id(this Side s) => s switch
    {
        Side.Server => "server",
        Side.Client => "client",
        _ => "unknown",
    };

    /// <summary>Every class, in display order.</summary>
    public static IReadOnlyList<SocketClass> All { get; } = Enum.GetValues<SocketClass>();
}
