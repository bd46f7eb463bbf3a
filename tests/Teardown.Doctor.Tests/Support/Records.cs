using System.Collections.Immutable;
using System.Net;
using Teardown.Doctor.Input;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Tests.Support;

/// <summary>Builds socket records the way sock_diag reports them (spec §5.2 canonical displays).</summary>
internal static class Records
{
    internal static InetEndpoint Ep(string address, int port) => new(InetAddress.From(IPAddress.Parse(address)), (ushort)port);

    internal static SocketRecord Socket(TcpState state, string local, string remote, ulong inode = 0, uint recvQ = 0,
        TimerKind timer = TimerKind.None, uint timerMs = 0, uint quietMs = 0, bool tcpInfo = true, byte retrans = 0)
    {
        static InetEndpoint Parse(string s)
        {
            int colon = s.LastIndexOf(':');
            return Ep(s[..colon], int.Parse(s[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        var r = new SocketRecord
        {
            Source = SocketSource.SockDiag,
            Family = AddressFamilies.Inet,
            State = (byte)state,
            Local = Parse(local),
            Remote = Parse(remote),
            Inode = inode,
            RecvQ = recvQ,
            Timer = (byte)timer,
            TimerExpiresMs = timerMs,
            Retrans = retrans,
        };
        // Timewait mini-sockets and orphans carry no tcp_info in our fixtures' spirit when asked.
        if (tcpInfo && state != TcpState.TimeWait && timer != TimerKind.Timewait)
        {
            r.TcpInfoLength = 232;
            r.LastDataRecvMs = quietMs;
            r.LastAckRecvMs = quietMs;
            r.RtoUs = 204_000;
        }

        return r;
    }

    internal static SocketRecord Listen(int port) => Socket(TcpState.Listen, $"0.0.0.0:{port}", "0.0.0.0:0", inode: (ulong)(900000 + port));

    internal static DoctorInput Input(IEnumerable<SocketRecord> sockets, Dictionary<ulong, SocketOwner>? owners = null,
        IEnumerable<ProcessInfo>? processes = null, NetSettings? settings = null) => new()
    {
        TakenAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Sockets = [.. sockets],
        Owners = new DictionaryOwnerLookup(owners ?? []),
        Processes = (processes ?? []).ToDictionary(p => p.Pid),
        Settings = settings ?? new NetSettings { TcpFinTimeout = 60, LocalPortLow = 32768, LocalPortHigh = 60999, TcpMaxTwBuckets = 262144 },
    };

    internal static ProcessInfo Process(int pid, string comm, int fds, long limit) =>
        new(pid, comm, "/usr/bin/" + comm, "/system.slice/" + comm + ".service", new FileLimit(limit, limit), fds, fds, 0);
}
