using Teardown.Doctor.Classification;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>Running totals for one group during the single pass over the socket table.</summary>
internal sealed class GroupAccumulator
{
    internal const int MaxExamples = 5;

    internal int Count;
    internal int WithTcpInfo;
    internal uint QuietMaxMs;
    internal uint QuietMinMs = uint.MaxValue;
    internal uint TimerMaxMs;
    internal uint TimerMinMs = uint.MaxValue;
    internal int KeepaliveArmed;
    internal uint KeepaliveMaxMs;
    internal uint KeepaliveMinMs = uint.MaxValue;
    internal int TimewaitTimer;
    internal int ZeroWindowProbe;
    internal long RecvQTotal;
    internal uint RtoMaxUs;
    internal byte RetransMax;
    internal byte RetransMin = byte.MaxValue;
    internal int Paired;
    internal readonly int[] PeerClasses = new int[Enum.GetValues<SocketClass>().Length];
    internal readonly Dictionary<int, int> PeerPids = [];
    internal readonly List<int> Examples = new(MaxExamples);

    internal void Add(in SocketRecord s, int index)
    {
        Count++;
        RecvQTotal += s.RecvQ;
        if (s.TcpInfoLength > 0)
        {
            WithTcpInfo++;
            uint quiet = Math.Min(s.LastDataRecvMs, s.LastAckRecvMs);
            QuietMaxMs = Math.Max(QuietMaxMs, quiet);
            QuietMinMs = Math.Min(QuietMinMs, quiet);
            RtoMaxUs = Math.Max(RtoMaxUs, s.RtoUs);
        }

        if (s.Timer != (byte)TimerKind.None)
        {
            TimerMaxMs = Math.Max(TimerMaxMs, s.TimerExpiresMs);
            TimerMinMs = Math.Min(TimerMinMs, s.TimerExpiresMs);
            if (s.Timer == (byte)TimerKind.Keepalive)
            {
                KeepaliveArmed++;
                KeepaliveMaxMs = Math.Max(KeepaliveMaxMs, s.TimerExpiresMs);
                KeepaliveMinMs = Math.Min(KeepaliveMinMs, s.TimerExpiresMs);
            }
            else if (s.Timer == (byte)TimerKind.Timewait)
            {
                TimewaitTimer++;
            }
            else if (s.Timer == (byte)TimerKind.Probe)
            {
                ZeroWindowProbe++;
            }
        }

        RetransMax = Math.Max(RetransMax, s.Retrans);
        RetransMin = Math.Min(RetransMin, s.Retrans);
        if (Examples.Count < MaxExamples)
        {
            Examples.Add(index);
        }
    }

    internal void AddPeer(SocketClass peer, int peerPid)
    {
        Paired++;
        PeerClasses[(int)peer]++;
        if (peerPid > 0)
        {
            PeerPids[peerPid] = PeerPids.GetValueOrDefault(peerPid) + 1;
        }
    }
}
