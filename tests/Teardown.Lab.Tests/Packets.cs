using System.Buffers.Binary;
using System.Net;
using Teardown.Model;

namespace Teardown.Lab.Tests;

/// <summary>Builds IPv4/TCP packets byte by byte for the parser and wire tests.</summary>
internal static class Packets
{
    public static byte[] Tcp(string src, int sport, string dst, int dport, uint seq, uint ack, TcpFlags flags, ushort window = 512, int payload = 0, int tcpOptions = 0)
    {
        int tcpLen = 20 + tcpOptions;
        var p = new byte[20 + tcpLen + payload];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        p[8] = 64;
        p[9] = 6;
        IPAddress.Parse(src).TryWriteBytes(p.AsSpan(12), out _);
        IPAddress.Parse(dst).TryWriteBytes(p.AsSpan(16), out _);
        Span<byte> t = p.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(t, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], (ushort)dport);
        BinaryPrimitives.WriteUInt32BigEndian(t[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(t[8..], ack);
        t[12] = (byte)((tcpLen / 4) << 4);
        t[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(t[14..], window);
        return p;
    }
}
