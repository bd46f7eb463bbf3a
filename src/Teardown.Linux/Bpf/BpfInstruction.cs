using System.Runtime.InteropServices;

namespace Teardown.Linux.Bpf;

/// <summary>struct bpf_insn (include/uapi/linux/bpf.h): 8 bytes, registers packed dst (low nibble) and src.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly struct BpfInstruction
{
    public readonly byte Code;
    public readonly byte Registers;
    public readonly short Offset;
    public readonly int Immediate;

    private BpfInstruction(byte code, int dst, int src, short offset, int immediate)
    {
        Code = code;
        Registers = (byte)((dst & 0xF) | ((src & 0xF) << 4));
        Offset = offset;
        Immediate = immediate;
    }

    // Opcode parts (Documentation/bpf/standardization/instruction-set.rst).
    private const byte ClassLdx = 0x01, ClassStx = 0x03, ClassJmp = 0x05, ClassAlu64 = 0x07;
    private const byte ModeMem = 0x60;
    private const byte SourceImm = 0x00, SourceReg = 0x08;
    private const byte AluAdd = 0x00, AluOr = 0x40, AluAnd = 0x50, AluLsh = 0x60, AluMov = 0xb0;
    private const byte JumpEq = 0x10, JumpNe = 0x50, Call = 0x80, Exit = 0x90;

    /// <summary>Access sizes: the size bits of a load or store.</summary>
    public enum Size : byte
    {
        Word = 0x00,
        Half = 0x08,
        Byte = 0x10,
        Double = 0x18,
    }

    /// <summary>dst = *(size *)(src + offset)</summary>
    public static BpfInstruction Load(Size size, int dst, int src, short offset) => new((byte)(ClassLdx | ModeMem | (byte)size), dst, src, offset, 0);

    /// <summary>*(size *)(dst + offset) = src</summary>
    public static BpfInstruction Store(Size size, int dst, short offset, int src) => new((byte)(ClassStx | ModeMem | (byte)size), dst, src, offset, 0);

    /// <summary>dst = src (64-bit)</summary>
    public static BpfInstruction Move(int dst, int src) => new(ClassAlu64 | AluMov | SourceReg, dst, src, 0, 0);

    /// <summary>dst = immediate (64-bit, sign-extended)</summary>
    public static BpfInstruction MoveImmediate(int dst, int immediate) => new(ClassAlu64 | AluMov | SourceImm, dst, 0, 0, immediate);

    public static BpfInstruction AddImmediate(int dst, int immediate) => new(ClassAlu64 | AluAdd | SourceImm, dst, 0, 0, immediate);

    public static BpfInstruction AndImmediate(int dst, int immediate) => new(ClassAlu64 | AluAnd | SourceImm, dst, 0, 0, immediate);

    public static BpfInstruction ShiftLeftImmediate(int dst, int immediate) => new(ClassAlu64 | AluLsh | SourceImm, dst, 0, 0, immediate);

    public static BpfInstruction Or(int dst, int src) => new(ClassAlu64 | AluOr | SourceReg, dst, src, 0, 0);

    /// <summary>if dst == immediate, skip <paramref name="skip"/> instructions</summary>
    public static BpfInstruction JumpIfEqual(int dst, int immediate, short skip) => new(ClassJmp | JumpEq | SourceImm, dst, 0, skip, immediate);

    /// <summary>if dst != immediate, skip <paramref name="skip"/> instructions</summary>
    public static BpfInstruction JumpIfNotEqual(int dst, int immediate, short skip) => new(ClassJmp | JumpNe | SourceImm, dst, 0, skip, immediate);

    public static BpfInstruction CallHelper(int helper) => new(ClassJmp | Call, 0, 0, 0, helper);

    public static BpfInstruction Return() => new(ClassJmp | Exit, 0, 0, 0, 0);
}
