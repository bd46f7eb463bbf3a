namespace Teardown.Lab.Wire;

/// <summary>
/// One packet the wire took from a sender: when (CLOCK_MONOTONIC ns), between which hosts, its TCP
/// fields (null if not TCP) and whether the wire discarded it. Sent packets count even when dropped.
/// </summary>
public sealed class WirePacket
{
    private volatile bool _dropped;

    internal WirePacket(long timestampNs, string from, string? to, TcpSegment? segment, bool dropped, int length)
    {
        TimestampNs = timestampNs;
        From = from;
        To = to;
        Segment = segment;
        _dropped = dropped;
        Length = length;
    }

    public long TimestampNs { get; }

    public string From { get; }

    /// <summary>The destination host, or null when the address belongs to no host.</summary>
    public string? To { get; }

    public TcpSegment? Segment { get; }

    /// <summary>IP packet length in bytes.</summary>
    public int Length { get; }

    /// <summary>True when the wire discarded the packet (drop rule, unknown or crashed destination).</summary>
    public bool Dropped
    {
        get => _dropped;
        internal set => _dropped = value;
    }

    /// <summary>When the link delay said it should reach the receiver (CLOCK_MONOTONIC ns).</summary>
    public long DueNs { get; internal set; }

    /// <summary>When the packet was handed to the receiver (CLOCK_MONOTONIC ns), or 0 if never.</summary>
    public long DeliveredNs { get; internal set; }
}
