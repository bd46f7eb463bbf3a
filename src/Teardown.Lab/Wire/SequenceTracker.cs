using System.Net;

namespace Teardown.Lab.Wire;

/// <summary>
/// Makes sequence and acknowledgment numbers relative to each side's initial sequence number, learnt
/// from its SYN (a new SYN on the same 4-tuple starts a new connection, e.g. after a reboot). Numbers
/// of a side whose SYN was never seen stay absolute.
/// </summary>
public sealed class SequenceTracker
{
    private readonly Dictionary<(IPEndPoint, IPEndPoint), uint> _isn = [];

    /// <summary>Relative (seq, ack) of a segment, in capture order.</summary>
    public (uint Seq, uint Ack) Relative(TcpSegment s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var key = (s.Source, s.Destination);
        if ((s.Flags & TcpFlags.Syn) != 0) _isn[key] = s.Seq;
        uint seq = _isn.TryGetValue(key, out uint mine) ? unchecked(s.Seq - mine) : s.Seq;
        bool hasAck = (s.Flags & TcpFlags.Ack) != 0;
        uint ack = hasAck && _isn.TryGetValue((s.Destination, s.Source), out uint theirs) ? unchecked(s.Ack - theirs) : s.Ack;
        return (seq, ack);
    }
}
