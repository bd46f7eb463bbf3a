namespace Teardown.Model;

/// <summary>
/// A TCP segment as the model carries it: addresses, ports, sequence space, flags and payload length
/// (contents never matter). <see cref="Window"/> is the advertised window in bytes, after scaling.
/// Timestamps follow RFC 7323 (Linux enables them by default, net.ipv4.tcp_timestamps=1).
/// </summary>
public readonly record struct Segment(
    uint SrcAddr,
    ushort SrcPort,
    uint DstAddr,
    ushort DstPort,
    uint Seq,
    uint Ack,
    TcpFlags Flags,
    int Length,
    uint Window,
    uint TsVal,
    uint TsEcr)
{
    public bool Syn => (Flags & TcpFlags.Syn) != 0;

    public bool Fin => (Flags & TcpFlags.Fin) != 0;

    public bool Rst => (Flags & TcpFlags.Rst) != 0;

    public bool HasAck => (Flags & TcpFlags.Ack) != 0;

    /// <summary>Sequence space consumed: payload plus one for SYN and one for FIN (TCP_SKB_CB end_seq).</summary>
    public uint EndSeq => unchecked(Seq + (uint)Length + (Syn ? 1u : 0u) + (Fin ? 1u : 0u));

    /// <summary>The 4-tuple as the receiver sees it (local = destination).</summary>
    public FourTuple ReceiverTuple => new(DstAddr, DstPort, SrcAddr, SrcPort);

    public override string ToString() =>
        $"{Addr.Format(SrcAddr)}:{SrcPort}>{Addr.Format(DstAddr)}:{DstPort} [{Flags.ToNotation()}] seq={Seq} ack={Ack} len={Length} win={Window}";
}

/// <summary>A connection end's 4-tuple from its own host's point of view.</summary>
public readonly record struct FourTuple(uint LocalAddr, ushort LocalPort, uint RemoteAddr, ushort RemotePort)
{
    public FourTuple Reversed => new(RemoteAddr, RemotePort, LocalAddr, LocalPort);

    public override int GetHashCode() =>
        unchecked((int)(LocalAddr * 0x9E3779B1u ^ RemoteAddr * 0x85EBCA77u ^ ((uint)LocalPort << 16 | RemotePort) * 0xC2B2AE3Du));

    public override string ToString() => $"{Addr.Format(LocalAddr)}:{LocalPort}>{Addr.Format(RemoteAddr)}:{RemotePort}";
}

/// <summary>IPv4 addresses as host-order 32-bit values (192.0.2.1 = 0xC0000201).</summary>
public static class Addr
{
    public static uint Parse(string dotted)
    {
        var parts = dotted.Split('.');
        if (parts.Length != 4) throw new FormatException($"not an IPv4 address: {dotted}");
        uint v = 0;
        foreach (var p in parts) v = (v << 8) | byte.Parse(p, System.Globalization.CultureInfo.InvariantCulture);
        return v;
    }

    public static uint FromBytes(ReadOnlySpan<byte> b) => ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];

    public static string Format(uint a) => $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}";
}
