using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Owners;
using Teardown.Linux.Tests.Support;
using Xunit.Abstractions;

namespace Teardown.Linux.Tests.Owners;

/// <summary>Scans the real /proc; this process's own descriptors are always readable, so no root needed.</summary>
public sealed class ProcFdScannerTests(ITestOutputHelper output)
{
    [Fact]
    public void Scan_FindsThisProcessesSockets_WithPidFdAndProcessInfo()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        ulong inode = SocketZoo.InodeOf(listener);
        int fd = (int)listener.SafeHandle.DangerousGetHandle();

        var scan = ProcFdScanner.Scan();

        var owner = Assert.Single(scan.Owners.OwnersOf(inode));
        Assert.Equal(new SocketOwner(Environment.ProcessId, fd), owner);
        var me = scan.Processes[Environment.ProcessId];
        Assert.Equal(Process.GetCurrentProcess().ProcessName, me.Comm);
        Assert.NotNull(me.Executable);
        Assert.NotNull(me.CgroupPath);
        Assert.NotNull(me.NoFileLimit);
        Assert.True(me.FdCount >= me.SocketFdCount && me.SocketFdCount >= 1);
        Assert.NotEqual(0UL, me.NetNsInode);
        Assert.True(scan.ProcessesScanned > 1);
    }

    [Fact]
    public void Scan_DescriptorsSharedByDup_AreAllOwners()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var duplicate = new SafeSocketHandle(dup((int)socket.SafeHandle.DangerousGetHandle()), ownsHandle: true);
        ulong inode = SocketZoo.InodeOf(socket);

        var owners = ProcFdScanner.Scan().Owners.OwnersOf(inode).ToList();

        Assert.Equal(2, owners.Count);
        Assert.All(owners, o => Assert.Equal(Environment.ProcessId, o.Pid));
    }

    [Fact]
    public void Scan_TenThousandSocketFds_IsLinearAndFindsAll()
    {
        const int Count = 10_000;
        var sockets = new List<Socket>(Count);
        try
        {
            for (int i = 0; i < Count; i++)
            {
                sockets.Add(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            }

            var inodes = sockets.Select(SocketZoo.InodeOf).ToList();
            var clock = Stopwatch.StartNew();
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

            var scan = ProcFdScanner.Scan();

            clock.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            output.WriteLine($"scan: {scan.FdsScanned} fds in {scan.ProcessesScanned} processes, {clock.ElapsedMilliseconds} ms, {allocated / 1024} KiB allocated, {scan.Owners.SocketCount} sockets");
            Assert.All(inodes, inode => Assert.True(scan.Owners.HasOwner(inode)));
            // Generous bound for a shared 2-core machine; the point is no per-fd quadratic cost.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.ElapsedMilliseconds} ms");
            // Dictionary + owner arrays only: well under 200 bytes per socket.
            Assert.True(allocated < scan.Owners.SocketCount * 200L + (1 << 20), $"{allocated} bytes");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    // F_DUPFD_CLOEXEC: a plain dup() would be inherited by children other tests start meanwhile (sleep,
    // ip), which then hold the socket too.
    private static nint dup(int fd) => fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);

    [System.Runtime.InteropServices.DllImport("libc.so.6")]
#pragma warning disable CA5392, SYSLIB1054 // test-only helper
    private static extern nint fcntl(int fd, int cmd, int arg);
#pragma warning restore CA5392, SYSLIB1054
}
