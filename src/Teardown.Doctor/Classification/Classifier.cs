using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Classification;

/// <summary>
/// Pure per-socket rules (spec §5.1, user-needs §1.1–1.2). Every rule reads one kernel field:
/// Recv-Q counts an unread FIN as 1 (net/ipv4/tcp_diag.c:tcp_diag_get_info: rcv_nxt − copied_seq,
/// and tcp_recvmsg consumes the FIN only when read() returns 0); inode 0 means no file refers to the
/// socket (net/core/sock.c:sock_i_ino), i.e. an orphan, a timewait mini-socket, or a child never accepted.
/// </summary>
public static class Classifier
{
    /// <summary>Classifies one socket. LISTEN sockets are not classified (returns <see cref="SocketClass.Other"/>).</summary>
    public static SocketClass Classify(in SocketRecord s)
    {
        bool attached = s.Inode != 0;
        return s.KernelState switch
        {
            TcpState.Established => SocketClass.Established,
            TcpState.SynSent or TcpState.SynRecv or TcpState.NewSynRecv => SocketClass.Opening,
            // A CLOSE_WAIT child waiting in the accept queue has no struct socket yet
            // (net/ipv4/inet_connection_sock.c:inet_csk_accept grafts it), hence inode 0. An orphaned
            // CLOSE_WAIT cannot exist: close() moves it to LAST_ACK (net/ipv4/tcp.c:tcp_close_state).
            TcpState.CloseWait when !attached => SocketClass.CloseWaitNeverAccepted,
            TcpState.CloseWait => s.RecvQ switch
            {
                0 => SocketClass.CloseWaitReadNotClosed,
                1 => SocketClass.CloseWaitUnreadEof,
                _ => SocketClass.CloseWaitUnreadData,
            },
            // The orphan is either a timewait mini-socket (timer 3) or, when tcp_fin_time > 60 s, a full
            // socket on the keepalive timer (net/ipv4/tcp.c:__tcp_close); both have inode 0.
            TcpState.FinWait2 when !attached || s.Timer == (byte)TimerKind.Timewait => SocketClass.FinWait2Orphaned,
            TcpState.FinWait2 => SocketClass.FinWait2HalfClosed,
            TcpState.FinWait1 when !attached => SocketClass.FinWait1Orphaned,
            TcpState.LastAck when !attached => SocketClass.LastAckOrphaned,
            TcpState.Closing when !attached => SocketClass.ClosingOrphaned,
            TcpState.FinWait1 or TcpState.LastAck or TcpState.Closing => SocketClass.ClosingAttached,
            TcpState.TimeWait => SocketClass.TimeWait,
            TcpState.Close => SocketClass.BoundOnly,
            _ => SocketClass.Other,
        };
    }

    /// <summary>
    /// Which end we are: a local port that some socket listens on means our server (the kernel
    /// gives accepted children the listener's port, net/ipv4/tcp_ipv4.c:tcp_v4_syn_recv_sock); otherwise
    /// a local port inside ip_local_port_range means a connect()-chosen ephemeral port: our client
    /// (net/ipv4/inet_hashtables.c:__inet_hash_connect).
    /// </summary>
    public static Side SideOf(in SocketRecord s, ListeningPorts listening, int portLow, int portHigh)
    {
        if (s.KernelState == TcpState.CloseWait && s.Inode == 0)
        {
            return Side.Server;
        }

        if (listening.Contains(s.Local))
        {
            return Side.Server;
        }

        return s.Local.Port >= portLow && s.Local.Port <= portHigh ? Side.Client : Side.Unknown;
    }
}
