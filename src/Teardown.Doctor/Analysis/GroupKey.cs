using Teardown.Doctor.Classification;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// What makes sockets one finding: the same class, side, owner and service. The service of our
/// server is its local port; the service our client talks to is the remote endpoint.
/// </summary>
internal readonly record struct GroupKey(SocketClass Class, Side Side, int Pid, InetEndpoint Service)
{
    internal static GroupKey Of(SocketClass c, Side side, int pid, in SocketRecord s) => side == Side.Server
        ? new GroupKey(c, side, pid, new InetEndpoint(default, s.Local.Port))
        : new GroupKey(c, side, pid, s.Remote);

    internal string ServiceText => Side == Side.Server ? $"local :{Service.Port}" : $"remote {Service}";
}
