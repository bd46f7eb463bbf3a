using System.Net;
using Teardown.Linux.Files;
using Teardown.Linux.Inventory;
using Teardown.Linux.Ledger;
using Teardown.Linux.Processes;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Inventory;

/// <summary>
/// A socket released from outside (pidfd_getfd + shutdown(SHUT_WR), as <c>teardown release</c> does)
/// leaves sock_diag once LAST_ACK ends, but the holder's descriptor stays open: the snapshot finds it
/// through the ledger and /proc/PID/fd, and stops reporting it once the holder closes it. Needs root.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HeldAfterActionLiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("teardown-held-").FullName;

    [SkippableFact]
    public void ReleasedSocket_GoneFromSockDiag_IsReportedHeld_UntilTheApplicationClosesIt()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        peer.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(owner, peerEnd, TcpState.CloseWait));
        var socket = lab.Find(owner, peerEnd)!.Value;

        // Release it as the command does.
        var pidfd = Pidfd.Open(holder.Pid);
        Assert.True(pidfd.IsOk, pidfd.Error?.ToString());
        using (var process = pidfd.Value)
        {
            var dup = Pidfd.GetFd(process, holder.Fd);
            Assert.True(dup.IsOk, dup.Error?.ToString());
            using var duplicate = dup.Value;
            Assert.True(FileKinds.OfDescriptor(duplicate).Value.IsSocket(socket.Inode));
            Assert.Null(SocketCalls.Shutdown(duplicate, ShutdownHow.Write));
        }

        Assert.Equal(TcpState.Close, lab.WaitFor(owner, peerEnd, TcpState.Close)); // gone: LAST_ACK ended

        var options = new InventoryOptions { Namespace = lab.Local };
        var before = InventoryReader.Take(options);
        string ledgerPath = Path.Combine(_dir, "actions.jsonl");
        var released = new LedgerEntry(DateTimeOffset.UtcNow, LedgerAction.Release, LedgerOutcome.Released, null, null, before.NetNsInode, socket.Cookie,
            socket.Local.ToString(), socket.Remote.ToString(), socket.Inode, "CLOSE_WAIT", "close-wait-unread-eof", holder.Pid, holder.Fd, "teardown-holder", 0, Environment.ProcessId);
        // Another namespace's entry, and an orphan kill: neither belongs here.
        var elsewhere = released with { NetnsInode = before.NetNsInode + 1, Fd = holder.Fd + 1 };
        var orphanKill = released with { Action = LedgerAction.Kill, Outcome = LedgerOutcome.Killed, Pid = null, Fd = null, Inode = 0 };
        Assert.True(ActionLedger.Append(ledgerPath, [released, elsewhere, orphanKill]).IsOk);

        var follower = new LedgerFollower(ledgerPath);
        var snapshot = Assert.Single(NamespaceSnapshots.WithLedger([before], follower));
        Assert.DoesNotContain(snapshot.Sockets, s => s.Inode == socket.Inode);
        var held = Assert.Single(snapshot.HeldAfterAction);
        Assert.Equal((holder.Pid, holder.Fd, socket.Inode), (held.Pid!.Value, held.Fd!.Value, held.Inode));
        Assert.Equal(2, snapshot.ActionTotals!.Released); // totals are host-wide: the other namespace's line counts
        Assert.Equal(1, snapshot.ActionTotals.Killed);
        // The owner scan sees the held descriptor too: the process is known with its descriptor count.
        Assert.True(snapshot.Processes.ContainsKey(holder.Pid));

        Assert.Equal(0, holder.Call("close"));
        var after = Assert.Single(NamespaceSnapshots.WithLedger([InventoryReader.Take(options)], follower));
        Assert.Empty(after.HeldAfterAction);
        Assert.Empty(follower.HeldCandidates); // a closed descriptor is never checked again
        Assert.Equal(2, after.ActionTotals!.Released);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
