using System.Buffers.Binary;

namespace Teardown.Linux.Tests.Support;

/// <summary>Builds netlink byte streams by hand, for parser edge cases the kernel rarely produces.</summary>
internal sealed class NetlinkBuilder
{
    private readonly List<byte> _bytes = [];

    internal byte[] ToArray() => [.. _bytes];

    internal NetlinkBuilder Message(ushort type, ushort flags, uint seq, byte[] payload, int? lengthOverride = null)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(lengthOverride ?? 16 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), seq);
        _bytes.AddRange(header);
        _bytes.AddRange(payload);
        while (_bytes.Count % 4 != 0)
        {
            _bytes.Add(0);
        }

        return this;
    }

    internal NetlinkBuilder Socket(uint seq, byte[] diagMsg, params (ushort Type, byte[] Value)[] attributes) =>
        Message(20, 0x2, seq, [.. diagMsg, .. Attributes(attributes)]);

    internal NetlinkBuilder Done(uint seq, int status = 0) => Message(3, 0x2, seq, BitConverter.GetBytes(status));

    internal NetlinkBuilder Error(uint seq, int negativeErrno) => Message(2, 0, seq, [.. BitConverter.GetBytes(negativeErrno), .. new byte[16]]);

    /// <summary>An inet_diag_msg for 10.0.0.1:sport -> 10.0.0.2:dport.</summary>
    internal static byte[] DiagMsg(byte state, ushort sport, ushort dport, uint inode, byte timer = 0, uint expires = 0, uint rq = 0, ulong cookie = 42)
    {
        var m = new byte[72];
        m[0] = 2;
        m[1] = state;
        m[2] = timer;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(4), sport);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), dport);
        m[8] = 10; m[11] = 1;
        m[24] = 10; m[27] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(44), (uint)cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(48), (uint)(cookie >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(52), expires);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(56), rq);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(68), inode);
        return m;
    }

    internal static byte[] Attributes(params (ushort Type, byte[] Value)[] attributes)
    {
        var list = new List<byte>();
        foreach (var (type, value) in attributes)
        {
            list.AddRange(BitConverter.GetBytes((ushort)(4 + value.Length)));
            list.AddRange(BitConverter.GetBytes(type));
            list.AddRange(value);
            while (list.Count % 4 != 0)
            {
                list.Add(0);
            }
        }

        return [.. list];
    }
}
