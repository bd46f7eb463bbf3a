using System.Buffers.Binary;
using System.Text;

namespace Teardown.Linux.Bpf;

/// <summary>
/// The few facts a BPF program needs from the kernel's own type information (BTF, /sys/kernel/btf/vmlinux,
/// format in include/uapi/linux/btf.h): the type id of a function (an iterator's attach point) and the
/// byte offset of a struct member, so that a program reads <c>file-&gt;f_inode</c> where this kernel keeps it.
/// </summary>
public sealed class VmlinuxBtf
{
    public const string DefaultPath = "/sys/kernel/btf/vmlinux";

    private const ushort Magic = 0xEB9F;
    private const int KindStruct = 4;
    private const int KindUnion = 5;
    private const int KindFunc = 12;

    private readonly byte[] _data;
    private readonly int _strings;
    private readonly int _stringsLength;

    // Per type id (1-based): the byte position of its btf_type record in _data.
    private readonly int[] _position;

    private VmlinuxBtf(byte[] data, int types, int typesLength, int strings, int stringsLength)
    {
        _data = data;
        _strings = strings;
        _stringsLength = stringsLength;
        var positions = new List<int> { 0 }; // id 0 is void
        int p = types;
        int end = types + typesLength;
        while (p + 12 <= end)
        {
            positions.Add(p);
            p += 12 + ExtraBytes(p);
        }

        if (p != end) throw new InvalidDataException("BTF type section does not end on a type boundary");
        _position = positions.ToArray();
    }

    /// <summary>Number of types (ids 1..Count).</summary>
    public int Count => _position.Length - 1;

    /// <summary>Reads and indexes a BTF blob; throws <see cref="InvalidDataException"/> if it is not one.</summary>
    public static VmlinuxBtf Parse(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < 24 || BinaryPrimitives.ReadUInt16LittleEndian(data) != Magic)
        {
            throw new InvalidDataException("not a little-endian BTF blob (magic 0xEB9F)");
        }

        int headerLength = (int)U32(data, 4);
        int typeOff = (int)U32(data, 8), typeLen = (int)U32(data, 12), strOff = (int)U32(data, 16), strLen = (int)U32(data, 20);
        int types = headerLength + typeOff, strings = headerLength + strOff;
        if (types < 0 || typeLen < 0 || types + typeLen > data.Length || strings < 0 || strLen < 0 || strings + strLen > data.Length)
        {
            throw new InvalidDataException("BTF sections lie outside the blob");
        }

        return new VmlinuxBtf(data, types, typeLen, strings, strLen);
    }

    /// <summary>Loads the running kernel's BTF; null with the reason when it cannot be read.</summary>
    public static VmlinuxBtf? TryLoad(out string? whyNot, string path = DefaultPath)
    {
        whyNot = null;
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            whyNot = $"{path}: {e.Message}";
            return null;
        }
    }

    /// <summary>The id of the function named <paramref name="name"/>, or 0.</summary>
    public int FindFunction(string name)
    {
        byte[] wanted = Encoding.ASCII.GetBytes(name);
        for (int id = 1; id < _position.Length; id++)
        {
            int p = _position[id];
            if (Kind(p) == KindFunc && NameEquals(U32(_data, p), wanted)) return id;
        }

        return 0;
    }

    /// <summary>
    /// The byte offset of <paramref name="member"/> in <c>struct <paramref name="structName"/></c>, looking
    /// through anonymous unions and structs; null when there is no such member (or it is a bitfield).
    /// </summary>
    public int? MemberOffset(string structName, string member)
    {
        byte[] wantedStruct = Encoding.ASCII.GetBytes(structName);
        byte[] wantedMember = Encoding.ASCII.GetBytes(member);
        for (int id = 1; id < _position.Length; id++)
        {
            int p = _position[id];
            if (Kind(p) == KindStruct && Vlen(p) > 0 && NameEquals(U32(_data, p), wantedStruct))
            {
                long? bits = FindMember(id, wantedMember, 0);
                if (bits is { } b && b % 8 == 0) return (int)(b / 8);
            }
        }

        return null;
    }

    private long? FindMember(int id, byte[] wanted, int depth)
    {
        if (depth > 8) return null;
        int p = _position[id];
        bool bitfields = (U32(_data, p + 4) & 0x8000_0000) != 0;
        for (int i = 0; i < Vlen(p); i++)
        {
            int m = p + 12 + (i * 12);
            uint nameOff = U32(_data, m);
            int type = (int)U32(_data, m + 4);
            uint offset = U32(_data, m + 8);
            long bitOffset = bitfields ? offset & 0x00FF_FFFF : offset;
            if (bitfields && (offset >> 24) != 0) continue; // a bitfield: not addressable by bytes
            if (nameOff != 0)
            {
                if (NameEquals(nameOff, wanted)) return bitOffset;
                continue;
            }

            // An anonymous struct or union: its members are members of this one.
            int inner = Resolve(type);
            if (inner > 0 && Kind(_position[inner]) is KindStruct or KindUnion && FindMember(inner, wanted, depth + 1) is { } nested)
            {
                return bitOffset + nested;
            }
        }

        return null;
    }

    /// <summary>Follows typedefs and qualifiers (kinds 8–11, 18) to the underlying type id.</summary>
    private int Resolve(int id)
    {
        for (int guard = 0; guard < 16 && id > 0 && id < _position.Length; guard++)
        {
            int p = _position[id];
            if (Kind(p) is 8 or 9 or 10 or 11 or 18) id = (int)U32(_data, p + 8);
            else return id;
        }

        return 0;
    }

    private int Kind(int p) => (int)((U32(_data, p + 4) >> 24) & 0x1F);

    private int Vlen(int p) => (int)(U32(_data, p + 4) & 0xFFFF);

    /// <summary>Bytes after the 12-byte btf_type, by kind (include/uapi/linux/btf.h).</summary>
    private int ExtraBytes(int p)
    {
        int vlen = Vlen(p);
        return Kind(p) switch
        {
            1 => 4,              // INT
            3 => 12,             // ARRAY
            4 or 5 => vlen * 12, // STRUCT, UNION: btf_member
            6 => vlen * 8,       // ENUM
            13 => vlen * 8,      // FUNC_PROTO: btf_param
            14 => 4,             // VAR
            15 => vlen * 12,     // DATASEC
            17 => 4,             // DECL_TAG
            19 => vlen * 12,     // ENUM64
            _ => 0,              // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
        };
    }

    private bool NameEquals(uint nameOff, byte[] wanted)
    {
        if (nameOff + wanted.Length >= (uint)_stringsLength) return false;
        int s = _strings + (int)nameOff;
        return _data.AsSpan(s, wanted.Length).SequenceEqual(wanted) && _data[s + wanted.Length] == 0;
    }

    private static uint U32(byte[] data, int at) => BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at, 4));
}
