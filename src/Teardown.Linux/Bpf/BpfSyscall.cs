using System.Runtime.InteropServices;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Bpf;

/// <summary>
/// The bpf(2) commands the task-file iterator needs, with <c>union bpf_attr</c> written field by field
/// at offsets from include/uapi/linux/bpf.h (checked against the installed header by StructLayoutTests).
/// </summary>
internal static unsafe partial class BpfSyscall
{
    // enum bpf_cmd
    internal const int BPF_PROG_LOAD = 5;
    internal const int BPF_LINK_CREATE = 28;
    internal const int BPF_ITER_CREATE = 33;

    internal const int BPF_PROG_TYPE_TRACING = 26;
    internal const int BPF_TRACE_ITER = 28;
    internal const int BPF_FUNC_seq_write = 127;

    /// <summary>sizeof(union bpf_attr) grows with kernels; a zeroed prefix this long is accepted by all 5.8+.</summary>
    internal const int AttrSize = 144;

    // PROG_LOAD fields
    internal const int ProgTypeOffset = 0;
    internal const int InsnCntOffset = 4;
    internal const int InsnsOffset = 8;
    internal const int LicenseOffset = 16;
    internal const int LogLevelOffset = 24;
    internal const int LogSizeOffset = 28;
    internal const int LogBufOffset = 32;
    internal const int ProgNameOffset = 48;
    internal const int ExpectedAttachTypeOffset = 68;
    internal const int AttachBtfIdOffset = 108;

    // LINK_CREATE and ITER_CREATE fields
    internal const int LinkCreateProgFdOffset = 0;
    internal const int LinkCreateAttachTypeOffset = 8;
    internal const int IterCreateLinkFdOffset = 0;

    private static int SyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        _ => -1,
    };

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long command, byte* attr, long size);

    /// <summary>bpf(cmd, attr, size): a new descriptor, or -errno.</summary>
    internal static int Call(int command, byte* attr)
    {
        int number = SyscallNumber;
        if (number < 0) return -(int)Errno.ENOSYS;
        long rc = Syscall(number, command, attr, AttrSize);
        return rc >= 0 ? (int)rc : -Marshal.GetLastPInvokeError();
    }
}
