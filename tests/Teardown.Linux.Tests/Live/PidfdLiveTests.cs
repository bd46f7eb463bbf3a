using System.Net;
using Teardown.Linux.Files;
using Teardown.Linux.Interop;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Processes;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Live;

/// <summary>
/// pidfd_open + pidfd_getfd against a real holder process: what the kernel refuses, and how a reused
/// descriptor number is caught before anything is done to it.
/// </summary>
public sealed class PidfdLiveTests
{
    private static ulong SocketInode(HandsLab lab, System.Net.Sockets.Socket peer) =>
        lab.Find(peer.RemoteEndPoint!, peer.LocalEndPoint!)!.Value.Inode;

    /// <summary>Runs on a throw-away thread whose credentials are dropped to <paramref name="uid"/>.</summary>
    private static LinuxResult<SafeFdHandle> GetFdAs(int uid, int pid, int fd) => NetNs.OnDedicatedThread(() =>
    {
        Assert.Equal(0, ThreadCredentials.DropTo(uid));
        var pidfd = Pidfd.Open(pid);
        Assert.True(pidfd.IsOk, pidfd.Error?.ToString());
        using var process = pidfd.Value;
        return Pidfd.GetFd(process, fd);
    });

    [SkippableFact]
    public void GetFd_DuplicatesTheVerySocket_CloseOnExec()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();

        using var process = Pidfd.Open(holder.Pid).Value;
        using var dup = Pidfd.GetFd(process, holder.Fd).Value;

        Assert.Equal(new FileIdentity(FileKind.Socket, SocketInode(lab, peer)), FileKinds.OfDescriptor(dup).Value);
        string flags = File.ReadAllText($"/proc/self/fdinfo/{dup.Fd}");
        int octal = Convert.ToInt32(flags.Split('\n').Single(l => l.StartsWith("flags:", StringComparison.Ordinal))[6..].Trim(), 8);
        Assert.NotEqual(0, octal & LinuxConstants.O_CLOEXEC);
    }

    [SkippableFact]
    public void GetFd_OfAnotherUsersProcess_WithoutPrivileges_IsEperm()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, _) = lab.Held(uid: 65534);

        var result = GetFdAs(65533, holder.Pid, holder.Fd);

        Assert.False(result.IsOk);
        Assert.Equal(Errno.EPERM, result.Error.Value.Errno);
    }

    [SkippableFact]
    public void GetFd_OfAProcessOfTheSameUser_WithoutPrivileges_IsAllowed_WithoutYama()
    {
        Require.RootOrSkip();
        Skip.If(File.Exists("/proc/sys/kernel/yama/ptrace_scope") && File.ReadAllText("/proc/sys/kernel/yama/ptrace_scope").Trim() != "0", "Yama restricts ptrace here");
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held(uid: 65534);

        var result = GetFdAs(65534, holder.Pid, holder.Fd);

        // kernel/ptrace.c:__ptrace_may_access: same uids and a dumpable target suffice, no capability.
        Assert.True(result.IsOk, result.Error?.ToString());
        using var dup = result.Value;
        Assert.True(FileKinds.OfDescriptor(dup).Value.IsSocket(SocketInode(lab, peer)));
    }

    [SkippableFact]
    public void GetFd_AfterTheProcessExited_IsEsrch_AndOpenOfItsPidIsEsrch()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, _) = lab.Held();
        using var process = Pidfd.Open(holder.Pid).Value;
        int pid = holder.Pid;

        holder.Exit();

        var dup = Pidfd.GetFd(process, holder.Fd);
        Assert.Equal(Errno.ESRCH, dup.Error?.Errno);
        Assert.Equal(Errno.ESRCH, Pidfd.Open(pid).Error?.Errno);
    }

    [SkippableFact]
    public void GetFd_OfAClosedDescriptorNumber_IsEbadf()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, _) = lab.Held();
        Assert.Equal(0, holder.Call("close"));
        using var process = Pidfd.Open(holder.Pid).Value;

        Assert.Equal(Errno.EBADF, Pidfd.GetFd(process, holder.Fd).Error?.Errno);
    }

    [SkippableFact]
    public void GetFd_OfANumberReusedByAPipe_IsCaughtByTheInodeCheck()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        ulong socketInode = SocketInode(lab, peer);
        Assert.Equal(0, holder.Call("close"));
        Assert.Equal(holder.Fd, holder.Call("pipe"));
        using var process = Pidfd.Open(holder.Pid).Value;

        using var dup = Pidfd.GetFd(process, holder.Fd).Value;
        var identity = FileKinds.OfDescriptor(dup).Value;

        Assert.Equal(FileKind.Fifo, identity.Kind);
        Assert.False(identity.IsSocket(socketInode));
    }
}
