using System.Buffers.Binary;
using System.Text;
using Teardown.Linux.Bpf;

namespace Teardown.Linux.Tests.Bpf;

/// <summary>The BTF reader on a small hand-built blob (include/uapi/linux/btf.h), and on this kernel's when present.</summary>
public sealed class VmlinuxBtfTests
{
    [Fact]
    public void FindsFunctionsAndMemberOffsets_ThroughAnonymousUnions()
    {
        VmlinuxBtf btf = VmlinuxBtf.Parse(SmallBlob());

        Assert.Equal(7, btf.Count);
        Assert.Equal(7, btf.FindFunction("bpf_iter_task_file"));
        Assert.Equal(0, btf.FindFunction("file"));                  // a struct, not a function
        Assert.Equal(16, btf.MemberOffset("file", "f_inode"));
        Assert.Equal(0, btf.MemberOffset("inode", "i_mode"));
        Assert.Equal(8, btf.MemberOffset("inode", "i_ino"));        // inside an anonymous union at byte 8
        Assert.Null(btf.MemberOffset("inode", "f_inode"));
        Assert.Null(btf.MemberOffset("task_struct", "tgid"));
    }

    [Fact]
    public void RejectsWhatIsNotBtf()
    {
        Assert.Throws<InvalidDataException>(() => VmlinuxBtf.Parse(new byte[40]));
        byte[] truncated = SmallBlob()[..30];
        Assert.Throws<InvalidDataException>(() => VmlinuxBtf.Parse(truncated));
    }

    [SkippableFact]
    public void ThisKernelsBtf_HasWhatTheIteratorReads()
    {
        Skip.IfNot(File.Exists(VmlinuxBtf.DefaultPath), "this kernel has no BTF");
        VmlinuxBtf btf = VmlinuxBtf.TryLoad(out string? whyNot) ?? throw new InvalidOperationException(whyNot);
        Assert.NotEqual(0, btf.FindFunction("bpf_iter_task_file"));
        Assert.NotNull(btf.MemberOffset("file", "f_inode"));
        Assert.NotNull(btf.MemberOffset("inode", "i_ino"));
        Assert.NotNull(btf.MemberOffset("task_struct", "tgid"));
    }

    private static byte[] SmallBlob()
    {
        var strings = new StringBuilder("\0");
        int Name(string s)
        {
            int at = strings.Length;
            strings.Append(s).Append('\0');
            return at;
        }

        var types = new List<uint>();
        void Type(int name, int kind, int vlen, uint sizeOrType, params uint[] extra)
        {
            types.Add((uint)name);
            types.Add(((uint)kind << 24) | (uint)vlen);
            types.Add(sizeOrType);
            types.AddRange(extra);
        }

        int intName = Name("int"), fMode = Name("f_mode"), fInode = Name("f_inode"), file = Name("file");
        int iIno = Name("i_ino"), inode = Name("inode"), iMode = Name("i_mode"), func = Name("bpf_iter_task_file");
        Type(intName, 1, 0, 4, 32);                                              // 1: int
        Type(0, 2, 0, 0);                                                        // 2: void *
        Type(file, 4, 2, 32, (uint)fMode, 1, 0, (uint)fInode, 2, 128);          // 3: struct file
        Type(0, 5, 1, 8, (uint)iIno, 1, 0);                                      // 4: union { int i_ino; }
        Type(inode, 4, 2, 40, (uint)iMode, 1, 0, 0, 4, 64);                     // 5: struct inode
        Type(0, 13, 0, 0);                                                       // 6: func proto
        Type(func, 12, 0, 6);                                                    // 7: func

        byte[] str = Encoding.ASCII.GetBytes(strings.ToString());
        int typeLen = types.Count * 4;
        var blob = new byte[24 + typeLen + str.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(blob, 0xEB9F);
        blob[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(12), (uint)typeLen);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(16), (uint)typeLen);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(20), (uint)str.Length);
        for (int i = 0; i < types.Count; i++) BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(24 + (i * 4)), types[i]);
        str.CopyTo(blob.AsSpan(24 + typeLen));
        return blob;
    }
}
