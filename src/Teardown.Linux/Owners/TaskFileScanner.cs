using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Teardown.Linux.Bpf;
using Teardown.Linux.Interop;
using Teardown.Linux.Proc;
using static Teardown.Linux.Bpf.BpfInstruction;

namespace Teardown.Linux.Owners;

/// <summary>
/// Socket owners from a BPF task-file iterator (kernel/bpf/task_iter.c, "iter/task_file", Linux 5.8+): one
/// read(2) of an iterator descriptor walks every process's descriptor table in the kernel and hands back, per
/// descriptor, (socket inode or 0, pid, fd) — instead of one readlinkat(2) per descriptor under /proc, the
/// cost that makes <c>ss -p</c> slow. The program is a dozen instructions assembled here; the offsets it reads
/// (<c>file-&gt;f_inode</c>, <c>inode-&gt;i_mode</c>, <c>inode-&gt;i_ino</c>, <c>task-&gt;tgid</c>) come from the running
/// kernel's BTF, and the verifier checks every access against it. Needs CAP_BPF and CAP_PERFMON (root), BTF,
/// and the initial pid namespace (the program reports global pids); otherwise the caller falls back to
/// <see cref="ProcFdScanner"/>.
/// </summary>
public static unsafe class TaskFileScanner
{
    /// <summary>What <see cref="OwnerScan.Method"/> says when this scanner produced the scan.</summary>
    public const string MethodName = "BPF task_file iterator";

    private const int RecordBytes = 16;

    /// <summary>Socket descriptors the last scan found: the next scan's table size.</summary>
    private static int s_lastSocketDescriptors = 4096;

    // A descriptor's file is a socket when (i_mode & S_IFMT) == S_IFSOCK (include/uapi/linux/stat.h).
    private const int SIfMt = 0xF000;
    private const int SIfSock = 0xC000;

    // struct bpf_iter__task_file (kernel/bpf/task_iter.c): meta@0, task@8, fd@16, file@24.
    private const short CtxMeta = 0, CtxTask = 8, CtxFd = 16, CtxFile = 24;

    /// <summary>Scans every process's descriptors; null (with the reason) when the iterator cannot be used here.</summary>
    public static OwnerScan? TryScan(out string? whyNot)
    {
        if (!InInitialPidNamespace())
        {
            whyNot = "not in the initial pid namespace (the iterator reports global pids)";
            return null;
        }

        if (KernelLayout.Value is not ({ } layout, _))
        {
            whyNot = KernelLayout.Value.WhyNot;
            return null;
        }

        int attachId = layout.AttachId;
        BpfInstruction[] program = Program(layout.FileInode, layout.InodeMode, layout.InodeIno, layout.TaskTgid);
        using var prog = LoadProgram(program, attachId, out whyNot);
        if (prog is null) return null;
        using var link = Fd(BpfSyscall.BPF_LINK_CREATE, attr =>
        {
            *(int*)(attr + BpfSyscall.LinkCreateProgFdOffset) = prog.Fd;
            *(int*)(attr + BpfSyscall.LinkCreateAttachTypeOffset) = BpfSyscall.BPF_TRACE_ITER;
        }, "BPF_LINK_CREATE", out whyNot);
        if (link is null) return null;
        using var iterator = Fd(BpfSyscall.BPF_ITER_CREATE, attr => *(int*)(attr + BpfSyscall.IterCreateLinkFdOffset) = link.Fd, "BPF_ITER_CREATE", out whyNot);
        if (iterator is null) return null;
        return Read(iterator, out whyNot);
    }

    /// <summary>The attach point and field offsets the program needs, from the running kernel's BTF.</summary>
    private sealed record Layout(int AttachId, short FileInode, short InodeMode, short InodeIno, short TaskTgid);

    /// <summary>
    /// Read once per process: /sys/kernel/btf/vmlinux describes the kernel that is running and cannot
    /// change until the next boot, and parsing its ~6 MB costs ~8 ms — per snapshot, in a server that
    /// scans owners every interval.
    /// </summary>
    private static readonly Lazy<(Layout? Layout, string? WhyNot)> KernelLayout = new(() =>
    {
        VmlinuxBtf? btf = VmlinuxBtf.TryLoad(out string? whyNot);
        if (btf is null) return (null, whyNot);

        int attachId = btf.FindFunction("bpf_iter_task_file");
        int? fInode = btf.MemberOffset("file", "f_inode");
        int? iMode = btf.MemberOffset("inode", "i_mode");
        int? iIno = btf.MemberOffset("inode", "i_ino");
        int? tgid = btf.MemberOffset("task_struct", "tgid");
        if (attachId == 0 || fInode is null || iMode is null || iIno is null || tgid is null)
        {
            return (null, "the kernel's BTF lacks bpf_iter_task_file or one of file.f_inode, inode.i_mode, inode.i_ino, task_struct.tgid");
        }

        return (new Layout(attachId, (short)fInode, (short)iMode, (short)iIno, (short)tgid), null);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Per descriptor: if it has a file, write { inode of a socket or 0, tgid &lt;&lt; 32 | fd } with
    /// bpf_seq_write. r6 = ctx, r7 = file, r8 = task; the record is built on the stack at r10 − 16.
    /// </summary>
    internal static BpfInstruction[] Program(short fileInode, short inodeMode, short inodeIno, short taskTgid) =>
    [
        Move(6, 1),
        Load(Size.Double, 7, 6, CtxFile),
        JumpIfEqual(7, 0, 20),                  // no file (end of a task's table): nothing to write
        Load(Size.Double, 8, 6, CtxTask),
        JumpIfEqual(8, 0, 18),
        Load(Size.Double, 2, 7, fileInode),     // r2 = file->f_inode
        Load(Size.Half, 3, 2, inodeMode),       // r3 = inode->i_mode
        AndImmediate(3, SIfMt),
        MoveImmediate(4, 0),                    // r4 = 0 unless a socket
        JumpIfNotEqual(3, SIfSock, 1),
        Load(Size.Double, 4, 2, inodeIno),      // r4 = inode->i_ino (the socket inode sock_diag reports)
        Store(Size.Double, 10, -16, 4),
        Load(Size.Word, 3, 8, taskTgid),        // r3 = task->tgid
        ShiftLeftImmediate(3, 32),
        Load(Size.Word, 4, 6, CtxFd),           // r4 = fd
        Or(3, 4),
        Store(Size.Double, 10, -8, 3),
        Load(Size.Double, 1, 6, CtxMeta),       // r1 = ctx->meta->seq
        Load(Size.Double, 1, 1, 0),
        Move(2, 10),
        AddImmediate(2, -RecordBytes),
        MoveImmediate(3, RecordBytes),
        CallHelper(BpfSyscall.BPF_FUNC_seq_write),
        MoveImmediate(0, 0),
        Return(),
    ];

    private static SafeFdHandle? LoadProgram(BpfInstruction[] program, int attachBtfId, out string? whyNot)
    {
        whyNot = null;
        // bpf_seq_write is GPL-only: the program declares a GPL-compatible licence (kernel/bpf/core.c).
        byte[] license = "Dual MIT/GPL\0"u8.ToArray();
        byte[] name = Encoding.ASCII.GetBytes("td_sock_owners");
        const int LogBytes = 64 * 1024;
        byte[] log = new byte[LogBytes];
        fixed (BpfInstruction* insns = program)
        fixed (byte* lic = license)
        fixed (byte* logBuffer = log)
        {
            byte* attr = stackalloc byte[BpfSyscall.AttrSize];
            for (int attempt = 0; attempt < 2; attempt++)
            {
                new Span<byte>(attr, BpfSyscall.AttrSize).Clear();
                *(uint*)(attr + BpfSyscall.ProgTypeOffset) = BpfSyscall.BPF_PROG_TYPE_TRACING;
                *(uint*)(attr + BpfSyscall.InsnCntOffset) = (uint)program.Length;
                *(ulong*)(attr + BpfSyscall.InsnsOffset) = (ulong)insns;
                *(ulong*)(attr + BpfSyscall.LicenseOffset) = (ulong)lic;
                name.CopyTo(new Span<byte>(attr + BpfSyscall.ProgNameOffset, 15));
                *(uint*)(attr + BpfSyscall.ExpectedAttachTypeOffset) = BpfSyscall.BPF_TRACE_ITER;
                *(uint*)(attr + BpfSyscall.AttachBtfIdOffset) = (uint)attachBtfId;
                if (attempt == 1)
                {
                    // Only to explain a refusal: the verifier's log.
                    *(uint*)(attr + BpfSyscall.LogLevelOffset) = 1;
                    *(uint*)(attr + BpfSyscall.LogSizeOffset) = LogBytes;
                    *(ulong*)(attr + BpfSyscall.LogBufOffset) = (ulong)logBuffer;
                }

                int fd = BpfSyscall.Call(BpfSyscall.BPF_PROG_LOAD, attr);
                if (fd >= 0)
                {
                    whyNot = null;
                    return new SafeFdHandle(fd, ownsHandle: true);
                }

                // EPERM: no CAP_BPF, nothing to explain. Anything else (EACCES, EINVAL: the verifier refused)
                // is worth a second try that asks for the verifier's log.
                Errno errno = (Errno)(-fd);
                if (errno == Errno.EPERM)
                {
                    whyNot = $"BPF_PROG_LOAD: {errno} (needs CAP_BPF and CAP_PERFMON)";
                    return null;
                }

                if (attempt == 1)
                {
                    string verifier = Encoding.ASCII.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0))).Trim();
                    string last = verifier.Split('\n').LastOrDefault(l => l.Length > 0) ?? "";
                    whyNot = $"BPF_PROG_LOAD: {errno}" + (last.Length > 0 ? $" ({last})" : "");
                }
            }
        }

        whyNot ??= "BPF_PROG_LOAD failed";
        return null;
    }

    private static SafeFdHandle? Fd(int command, Action<nint> fill, string what, out string? whyNot)
    {
        byte* attr = stackalloc byte[BpfSyscall.AttrSize];
        new Span<byte>(attr, BpfSyscall.AttrSize).Clear();
        fill((nint)attr);
        int fd = BpfSyscall.Call(command, attr);
        if (fd < 0)
        {
            whyNot = $"{what}: {(Errno)(-fd)}";
            return null;
        }

        whyNot = null;
        return new SafeFdHandle(fd, ownsHandle: true);
    }

    private static OwnerScan? Read(SafeFdHandle iterator, out string? whyNot)
    {
        // Sized from the last scan (a server scans every interval): 10^5 entries would otherwise grow the table ~5 times.
        var builder = new OwnerIndex.Builder(Volatile.Read(ref s_lastSocketDescriptors) + (Volatile.Read(ref s_lastSocketDescriptors) / 8));
        var perPid = new Dictionary<int, (int Fds, int Sockets)>();
        long descriptors = 0;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(1 << 20, pinned: true);
        int carry = 0;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Libc.read(iterator.Fd, p + carry, (nuint)(buffer.Length - carry));
                if (n < 0)
                {
                    Errno errno = (Errno)Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    whyNot = $"read of the BPF iterator: {errno}";
                    return null;
                }

                if (n == 0) break;
                int available = carry + (int)n;
                int whole = available - (available % RecordBytes);
                for (int at = 0; at < whole; at += RecordBytes)
                {
                    ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(at, 8));
                    ulong who = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(at + 8, 8));
                    int pid = unchecked((int)(who >> 32)), fd = unchecked((int)(uint)who);
                    descriptors++;
                    ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(perPid, pid, out _);
                    counts.Fds++;
                    if (inode != 0)
                    {
                        builder.Add(inode, pid, fd);
                        counts.Sockets++;
                    }
                }

                carry = available - whole;
                if (carry > 0) buffer.AsSpan(whole, carry).CopyTo(buffer);
            }
        }

        Volatile.Write(ref s_lastSocketDescriptors, builder.Count);
        var infos = ProcFdScanner.ReadProcessInfos(perPid);
        whyNot = null;
        return new OwnerScan(builder.Build(), infos, perPid.Count, 0, 0, 0, descriptors, Method: MethodName);
    }

    /// <summary>True when /proc/self/status lists one pid in NSpid: this process sees global pids.</summary>
    internal static bool InInitialPidNamespace()
    {
        string? status = ProcFs.TryReadText("/proc/self/status", out _);
        if (status is null) return false;
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("NSpid:", StringComparison.Ordinal))
            {
                return line[6..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Length == 1;
            }
        }

        return true; // kernels before 4.1 have no NSpid, nor pid namespaces worth worrying about here
    }
}
