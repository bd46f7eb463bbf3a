using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Bpf;
using Teardown.Linux.Owners;
using Teardown.Linux.Proc;
using Teardown.Linux.Tests.Support;
using Xunit.Abstractions;

namespace Teardown.Linux.Tests.Owners;

/// <summary>The BPF task_file iterator against the /proc scan it replaces (root; BTF on this kernel).</summary>
public sealed class TaskFileScannerTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Scan_FindsThisProcessesSockets_LikeTheProcScan()
    {
        Require.RootOrSkip();
        SkipWithoutBtf();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var duplicate = new SafeSocketHandle(Dup((int)listener.SafeHandle.DangerousGetHandle()), ownsHandle: true);
        ulong inode = SocketZoo.InodeOf(listener);

        OwnerScan? bpf = TaskFileScanner.TryScan(out string? whyNot);
        Assert.True(bpf is not null, whyNot);
        OwnerScan proc = ProcFdScanner.Scan();
        output.WriteLine($"bpf: {bpf.FdsScanned} descriptors of {bpf.ProcessesScanned} processes; proc: {proc.FdsScanned} of {proc.ProcessesScanned}");

        Assert.Equal(TaskFileScanner.MethodName, bpf.Method);
        Assert.Equal(
            proc.Owners.OwnersOf(inode).OrderBy(o => o.Fd),
            bpf.Owners.OwnersOf(inode).OrderBy(o => o.Fd));
        Assert.Equal(2, bpf.Owners.OwnersOf(inode).Count(o => o.Pid == Environment.ProcessId));
        ProcessInfo me = bpf.Processes[Environment.ProcessId];
        Assert.Equal(proc.Processes[Environment.ProcessId].Comm, me.Comm);
        Assert.True(me.FdCount >= me.SocketFdCount && me.SocketFdCount >= 2);
    }

    [SkippableFact]
    public void Scan_AgreesWithTheProcScan_OnEveryLongLivedSocketOfTheHost()
    {
        Require.RootOrSkip();
        SkipWithoutBtf();
        OwnerScan proc1 = ProcFdScanner.Scan();
        OwnerScan bpf = TaskFileScanner.TryScan(out string? whyNot) ?? throw new InvalidOperationException(whyNot);
        OwnerScan proc2 = ProcFdScanner.Scan();

        // Sockets present in both /proc scans existed throughout; the iterator must have seen each.
        var stable = proc1.Owners.Inodes.Where(proc2.Owners.HasOwner).ToList();
        Assert.NotEmpty(stable);
        Assert.All(stable, i => Assert.True(bpf.Owners.HasOwner(i), $"socket inode {i} missed by the iterator"));
    }

    [Fact]
    public void Program_IsTheAssembledInstructionSequence()
    {
        BpfInstruction[] p = TaskFileScanner.Program(fileInode: 32, inodeMode: 0, inodeIno: 64, taskTgid: 1000);
        Assert.Equal(25, p.Length);
        Assert.Equal((byte)0xbf, p[0].Code);           // mov r6, r1
        Assert.Equal((byte)0x16, p[0].Registers);  // dst in the low nibble
        Assert.Equal((byte)0x79, p[1].Code);           // r7 = *(u64 *)(r6 + 24)
        Assert.Equal((short)24, p[1].Offset);
        Assert.Equal((byte)0x15, p[2].Code);           // if r7 == 0 goto exit
        Assert.Equal(p.Length - 2, 2 + 1 + p[2].Offset);
        Assert.Equal(p.Length - 2, 4 + 1 + p[4].Offset);
        Assert.Equal((byte)0x69, p[6].Code);           // r3 = *(u16 *)(r2 + i_mode)
        Assert.Equal((byte)0x55, p[9].Code);           // if r3 != S_IFSOCK skip the i_ino load
        Assert.Equal((byte)0x85, p[^3].Code);          // call bpf_seq_write
        Assert.Equal((byte)0x95, p[^1].Code);          // exit
    }

    // A kernel built without CONFIG_DEBUG_INFO_BTF has no iterator to attach to: the doctor falls back to
    // /proc (tested elsewhere); say so rather than fail.
    private static void SkipWithoutBtf() =>
        Skip.IfNot(File.Exists(VmlinuxBtf.DefaultPath), $"this kernel has no BTF ({VmlinuxBtf.DefaultPath}): the BPF iterator cannot be used");

    // F_DUPFD_CLOEXEC: a plain dup() would be inherited by children other tests start meanwhile.
    private static IntPtr Dup(int fd) => fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);

    [System.Runtime.InteropServices.DllImport("libc.so.6")]
#pragma warning disable CA5392, SYSLIB1054 // test-only helper
    private static extern nint fcntl(int fd, int cmd, int arg);
#pragma warning restore CA5392, SYSLIB1054
}
