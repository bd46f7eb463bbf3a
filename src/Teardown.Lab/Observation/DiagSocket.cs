using System.Net;
using Teardown.Linux.Sockets;

namespace Teardown.Lab.Observation;

/// <summary>One TCP socket as inet_diag reports it: the lab's small view of a Teardown.Linux <see cref="SocketRecord"/>.</summary>
internal sealed record DiagSocket(
    TcpState State,
    TimerKind Timer,
    uint ExpiresMs,
    uint RecvQ,
    uint SendQ,
    ulong Inode,
    IPEndPoint Local,
    IPEndPoint Remote,
    ulong Cookie)
{
    public static DiagSocket From(in SocketRecord r) => new(
        r.KernelState,
        (TimerKind)r.Timer,
        r.TimerExpiresMs,
        r.RecvQ,
        r.SendQ,
        r.Inode,
        new IPEndPoint(r.Local.Address.ToIPAddress(), r.Local.Port),
        new IPEndPoint(r.Remote.Address.ToIPAddress(), r.Remote.Port),
        r.Cookie);
}
