using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;
using Xunit.Abstractions;

namespace Teardown.Linux.Tests.Inventory;

/// <summary>Whole snapshots of a populated private namespace. Needs root.</summary>
public sealed class InventoryLiveTests(ITestOutputHelper output)
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [SkippableFact]
    public void Take_InPrivateNamespace_SeesTheZoo_WithOwnersSettingsAndCounters()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();

        var snapshot = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace }, new FixedTime(Now));

        output.WriteLine($"sockets {snapshot.Sockets.Length} in {snapshot.SocketStats.Elapsed.TotalMilliseconds:F1} ms; owner scan {snapshot.OwnerStats.FdsScanned} fds in {snapshot.OwnerStats.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Empty(snapshot.BlindSpots.Where(b => b.Kind != BlindSpotKind.SettingsUnreadable));
        Assert.Equal(Now, snapshot.TakenAt);
        Assert.Equal(zoo.Namespace.Inode, snapshot.NetNsInode);
        Assert.Equal(SocketSource.SockDiag, snapshot.SocketSource);
        Assert.True(snapshot.SocketStats.ReceiveCalls >= 2);

        // Every socket the zoo holds is owned by this process, through the right fd.
        var closeWait = snapshot.Sockets.Single(r => r.Inode == SocketZoo.InodeOf(zoo.CloseWaitServer));
        Assert.Equal(TcpState.CloseWait, closeWait.KernelState);
        var owner = Assert.Single(snapshot.Owners.OwnersOf(closeWait.Inode));
        Assert.Equal(Environment.ProcessId, owner.Pid);
        Assert.Equal((int)zoo.CloseWaitServer.SafeHandle.DangerousGetHandle(), owner.Fd);
        Assert.True(snapshot.Processes[Environment.ProcessId].SocketFdCount >= 6);

        // Timewait-class sockets have no inode and therefore no owner.
        Assert.Equal(2, snapshot.Sockets.Count(r => r.Inode == 0));

        Assert.Equal(60, snapshot.Settings.TcpFinTimeout);
        // ESTABLISHED 2 + CLOSE_WAIT 2 over IPv4, plus the IPv6 ESTABLISHED pair.
        Assert.Equal(6, snapshot.Counters.Mib["Tcp.CurrEstab"]);
        // sockstat counts timewait mini-sockets (orphaned FIN_WAIT2 included) as tw, full orphans as orphan.
        Assert.Equal(snapshot.Sockets.Count(r => r.Timer == (byte)TimerKind.Timewait), snapshot.Counters.Tcp!.Value.TimeWait);
        // ... but sockstat's orphan count is host-wide (net/ipv4/proc.c:sockstat_seq_show reads the global
        // tcp_orphan_count), so other namespaces' orphans may add to it.
        Assert.True(snapshot.Counters.Tcp!.Value.Orphan >= snapshot.Sockets.Count(r => r.Inode == 0 && r.Timer != (byte)TimerKind.Timewait));
    }

    [SkippableFact]
    public void Take_WithTheDumpSplitOverTwoThreads_GivesTheSameSocketsAsOneDump()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();

        var one = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false, SplitDumpAbove = int.MaxValue });
        var two = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false, SplitDumpAbove = 0 });

        Assert.Empty(two.BlindSpots.Where(b => b.Kind is not (BlindSpotKind.SettingsUnreadable or BlindSpotKind.OwnersNotScanned)));
        Assert.True(two.SocketStats.ReceiveCalls > one.SocketStats.ReceiveCalls, "two dumps make more receive calls");
        Assert.Contains(two.Sockets, r => r.KernelState == TcpState.CloseWait);
        Assert.Equal(
            one.Sockets.Select(r => $"{r.Local} {r.Remote} {r.State} {r.Inode}").Order(StringComparer.Ordinal),
            two.Sockets.Select(r => $"{r.Local} {r.Remote} {r.State} {r.Inode}").Order(StringComparer.Ordinal));
    }

    [SkippableTheory]
    [InlineData(int.MaxValue)]
    [InlineData(0)]
    public void Take_WithDetailForTeardownStatesOnly_GivesTheSameSockets_WithTcpInfoOnlyWhereAsked(int splitAbove)
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();
        const TcpStateMask teardown = TcpStateMask.CloseWait | TcpStateMask.FinWait1 | TcpStateMask.FinWait2 | TcpStateMask.LastAck | TcpStateMask.Closing;

        var all = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false, Extensions = DiagExtensions.TcpInfo });
        var some = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false, Extensions = DiagExtensions.TcpInfo, DetailStates = teardown, SplitDumpAbove = splitAbove });

        Assert.Equal(
            all.Sockets.Select(r => $"{r.Local} {r.Remote} {r.State} {r.Inode}").Order(StringComparer.Ordinal),
            some.Sockets.Select(r => $"{r.Local} {r.Remote} {r.State} {r.Inode}").Order(StringComparer.Ordinal));
        Assert.Contains(some.Sockets, r => r.KernelState == TcpState.CloseWait && r.TcpInfoLength > 0);
        Assert.Contains(some.Sockets, r => r.KernelState == TcpState.Established);
        Assert.All(some.Sockets.Where(r => r.KernelState is TcpState.Established or TcpState.Listen), r => Assert.Equal(0, r.TcpInfoLength));
    }

    [SkippableFact]
    public void Take_WithAKeptWorkingTable_GivesTheSameSockets_AndNeverHandsTheTableOut()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();
        var scratch = new SocketTableScratch();
        var options = new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false, Scratch = scratch };

        var fresh = InventoryReader.Take(options with { Scratch = null });
        var first = InventoryReader.Take(options);
        int kept = scratch.Capacity;
        var second = InventoryReader.Take(options);

        Assert.True(kept >= first.Sockets.Length, "the table is kept after a snapshot");
        Assert.Equal(kept, scratch.Capacity);
        // States may move between dumps (a settling FIN_WAIT1); the sockets themselves may not.
        static IEnumerable<string> Keys(HostSnapshot s) => s.Sockets.Select(r => $"{r.Local} {r.Remote} {r.Inode} {r.Cookie}").Order(StringComparer.Ordinal);
        Assert.Equal(Keys(fresh), Keys(first));
        Assert.Equal(Keys(first), Keys(second)); // the second snapshot did not overwrite the first one's records
        Assert.NotSame(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(first.Sockets), System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(second.Sockets));
    }

    [SkippableFact]
    public void Take_ForcedProcNetTcp_GivesSameSockets_AndSaysWhatIsMissing()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();

        var viaNetlink = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false });
        var viaProc = InventoryReader.Take(new InventoryOptions { Namespace = zoo.Namespace, ScanOwners = false, Source = SocketSourcePreference.ProcNetTcp });

        Assert.Equal(SocketSource.ProcNetTcp, viaProc.SocketSource);
        Assert.Contains(viaProc.BlindSpots, b => b.Kind == BlindSpotKind.ReducedSocketDetail);
        Assert.Contains(viaProc.BlindSpots, b => b.Kind == BlindSpotKind.OwnersNotScanned);
        // /proc/net/tcp walks only the established and listening hashes: bound-only sockets (which
        // sock_diag reports as CLOSE from the bind hash) cannot appear there.
        Assert.Single(viaNetlink.Sockets, r => r.KernelState == TcpState.Close);
        Assert.Equal(
            viaNetlink.Sockets.Where(r => r.KernelState != TcpState.Close).Select(r => (r.Local, r.Remote, r.State, r.Inode)).OrderBy(t => t.Local.Port).ThenBy(t => t.Remote.Port),
            viaProc.Sockets.Select(r => (r.Local, r.Remote, r.State, r.Inode)).OrderBy(t => t.Local.Port).ThenBy(t => t.Remote.Port));
    }

    [SkippableFact]
    public void Take_WithANamespaceThatCannotBeEntered_IsABlindSpot_NotAnException()
    {
        Require.RootOrSkip();
        var devNull = Linux.Interop.ProcFs.OpenReadOnly("/dev/null");
        using var notANamespace = new NetNsHandle(devNull.Value);

        var snapshot = InventoryReader.Take(new InventoryOptions { Namespace = notANamespace, ScanOwners = false });

        var spot = Assert.Single(snapshot.BlindSpots, b => b.Kind == BlindSpotKind.NamespaceUnavailable);
        Assert.Equal(Errno.EINVAL, spot.Error!.Value.Errno);
        Assert.Empty(snapshot.Sockets);
        Assert.Equal(SocketSource.None, snapshot.SocketSource);
    }

    [SkippableFact]
    public void Take_AsUnprivilegedThread_DegradesIntoBlindSpots()
    {
        Require.RootOrSkip();

        // Credentials are per thread when changed with the raw syscall; this thread becomes uid 65534.
        var snapshot = Linux.Namespaces.NetNs.OnDedicatedThread(() =>
        {
            Assert.Equal(0, ThreadCredentials.DropToNobody());
            return InventoryReader.Take();
        });

        Assert.Contains(snapshot.BlindSpots, b => b.Kind == BlindSpotKind.NotRoot);
        var unreadable = Assert.Single(snapshot.BlindSpots, b => b.Kind == BlindSpotKind.ProcPartlyUnreadable);
        output.WriteLine(unreadable.Detail);
        Assert.True(snapshot.OwnerStats.ProcessesUnreadable > 0);
        // Dumping needs no privilege: the host's sockets are still all there.
        Assert.Equal(SocketSource.SockDiag, snapshot.SocketSource);
        Assert.NotEmpty(snapshot.Sockets);
    }
}
