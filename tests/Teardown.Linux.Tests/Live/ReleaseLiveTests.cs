using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Files;
using Teardown.Linux.Interop;
using Teardown.Linux.Processes;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;
using Xunit.Abstractions;

namespace Teardown.Linux.Tests.Live;

/// <summary>
/// Release: another process's socket, duplicated with pidfd_getfd and shut down from here. What the
/// kernel does on the wire, to the states, and to what the owner and the peer then read (issue 10).
/// Each test: a holder process connected to our peer socket in a private namespace on loopback.
/// </summary>
public sealed class ReleaseLiveTests(ITestOutputHelper output)
{
    private static SafeFdHandle Duplicate(Holder holder, ulong expectedInode)
    {
        var pidfd = Pidfd.Open(holder.Pid);
        Assert.True(pidfd.IsOk, pidfd.Error?.ToString());
        using var process = pidfd.Value;
        var dup = Pidfd.GetFd(process, holder.Fd);
        Assert.True(dup.IsOk, dup.Error?.ToString());
        var identity = FileKinds.OfDescriptor(dup.Value);
        Assert.True(identity.IsOk && identity.Value.IsSocket(expectedInode), $"{identity.Value} vs socket {expectedInode}");
        return dup.Value;
    }

    private static string? Link(Holder holder) => new FileInfo($"/proc/{holder.Pid}/fd/{holder.Fd}").LinkTarget;

    [SkippableTheory]
    [InlineData(ShutdownHow.Write)]
    [InlineData(ShutdownHow.Both)]
    public void Release_OfCloseWaitWithOnlyTheFinUnread_SendsFin_ClosesCleanly_OwnerReadsEofAndWritesEpipe(ShutdownHow how)
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(owner, peerEnd, TcpState.CloseWait));
        var before = lab.Find(owner, peerEnd)!.Value;
        Assert.Equal(1u, before.RecvQ);
        lab.Wire(owner, peerEnd);

        using (var dup = Duplicate(holder, before.Inode))
        {
            Assert.Null(SocketCalls.Shutdown(dup, how));
        }

        var wire = lab.Wire(owner, peerEnd);
        output.WriteLine(string.Join("\n", wire));
        Assert.Single(wire, s => s.Fin && s.SourcePort == ((IPEndPoint)owner).Port);
        Assert.DoesNotContain(wire, s => s.Rst);
        // LAST_ACK lasts one loopback round trip: the peer's ACK arrives before we can look.
        Assert.Null(lab.Find(owner, peerEnd));
        Assert.Equal(TcpState.TimeWait, lab.Find(peerEnd, owner)?.KernelState);
        Assert.Equal(0, peer.Receive(new byte[16]));

        // The owner's descriptor stays open, on a closed socket: end of stream, and EPIPE on write.
        Assert.StartsWith("socket:[", Link(holder));
        Assert.Equal((0L, Errno.None), holder.Read());
        Assert.Equal((-1L, Errno.EPIPE), holder.Write());
    }

    [SkippableTheory]
    [InlineData(ShutdownHow.Write)]
    [InlineData(ShutdownHow.Both)]
    public void Release_OfCloseWaitWithUnreadData_SendsFinNotRst_AndTheOwnerCanStillReadTheData(ShutdownHow how)
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        peer.Send("hello"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(owner, peerEnd, TcpState.CloseWait));
        var before = lab.Find(owner, peerEnd)!.Value;
        Assert.Equal(6u, before.RecvQ); // five bytes and the FIN
        lab.Wire(owner, peerEnd);

        using (var dup = Duplicate(holder, before.Inode))
        {
            Assert.Null(SocketCalls.Shutdown(dup, how));
        }

        // close() would answer unread data with an RST (net/ipv4/tcp.c:__tcp_close); shutdown does not
        // look at the receive queue (net/ipv4/tcp.c:tcp_shutdown): a plain FIN.
        var wire = lab.Wire(owner, peerEnd);
        output.WriteLine(string.Join("\n", wire));
        Assert.Single(wire, s => s.Fin && s.SourcePort == ((IPEndPoint)owner).Port);
        Assert.DoesNotContain(wire, s => s.Rst);
        Assert.Null(lab.Find(owner, peerEnd));
        Assert.Equal(0, peer.Receive(new byte[16]));

        var read = holder.Read();
        output.WriteLine($"owner read after release: {read}");
        Assert.Equal((5L, Errno.None), read);
        Assert.Equal((0L, Errno.None), holder.Read());
        Assert.Equal((-1L, Errno.EPIPE), holder.Write());
    }

    [SkippableTheory]
    [InlineData(ShutdownHow.Read)]
    [InlineData(ShutdownHow.Both)]
    public void Release_OfHalfClosedFinWait2_SendsNothing_TheSocketWaitsForThePeersFin(ShutdownHow how)
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        Assert.Equal(0, holder.Call("shutwr"));
        Assert.Equal(TcpState.FinWait2, lab.WaitFor(owner, peerEnd, TcpState.FinWait2));
        var before = lab.Find(owner, peerEnd)!.Value;
        Assert.Equal((-1L, Errno.EAGAIN), holder.Read());
        lab.Wire(owner, peerEnd);

        using (var dup = Duplicate(holder, before.Inode))
        {
            Assert.Null(SocketCalls.Shutdown(dup, how));
        }

        Assert.Empty(lab.Wire(owner, peerEnd));
        var after = lab.Find(owner, peerEnd)!.Value;
        output.WriteLine($"after: {after} shutdown={after.Shutdown}");
        Assert.Equal(TcpState.FinWait2, after.KernelState);
        Assert.Equal(3, after.Shutdown); // RCV_SHUTDOWN | SEND_SHUTDOWN
        Assert.Equal((0L, Errno.None), holder.Read()); // end of stream although the peer sent no FIN

        // It ends as any FIN_WAIT2 does: with the peer's FIN.
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(TcpState.TimeWait, lab.WaitFor(owner, peerEnd, TcpState.TimeWait));
        var wire = lab.Wire(owner, peerEnd);
        output.WriteLine(string.Join("\n", wire));
        Assert.DoesNotContain(wire, s => s.Rst);
    }

    [SkippableFact]
    public void Release_OfHalfClosedFinWait2_ThenDataFromThePeer_IsAnsweredWithRst()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        Assert.Equal(0, holder.Call("shutwr"));
        Assert.Equal(TcpState.FinWait2, lab.WaitFor(owner, peerEnd, TcpState.FinWait2));
        using (var dup = Duplicate(holder, lab.Find(owner, peerEnd)!.Value.Inode))
        {
            Assert.Null(SocketCalls.Shutdown(dup, ShutdownHow.Read));
        }

        lab.Wire(owner, peerEnd);
        peer.Send("late"u8.ToArray());

        // Data for a socket shut for reading after our FIN: net/ipv4/tcp_input.c:tcp_rcv_state_process
        // (FIN_WAIT1/2 with RCV_SHUTDOWN and new data) resets the connection (TCPAbortOnData).
        var wire = lab.Wire(owner, peerEnd);
        output.WriteLine(string.Join("\n", wire));
        Assert.Single(wire, s => s.Rst && s.SourcePort == ((IPEndPoint)owner).Port);
        Assert.Null(lab.Find(owner, peerEnd));
        Assert.Null(lab.Find(peerEnd, owner));

        // The peer had already received the owner's FIN (CLOSE_WAIT), so the reset reads as end of
        // stream (SOCK_DONE is checked before sk_err in tcp_recvmsg) and its next write fails with
        // EPIPE (net/ipv4/tcp_input.c:tcp_reset gives CLOSE_WAIT EPIPE, not ECONNRESET).
        Assert.Equal(0, peer.Receive(new byte[16]));
        var error = Assert.Throws<SocketException>(() => peer.Send("more"u8.ToArray()));
        Assert.Equal((int)Errno.EPIPE, error.NativeErrorCode);

        // The owner was in FIN_WAIT2: its pending error is ECONNRESET, reported once, then end of stream.
        Assert.Equal((-1L, Errno.ECONNRESET), holder.Read());
        Assert.Equal((0L, Errno.None), holder.Read());
        Assert.Equal((-1L, Errno.EPIPE), holder.Write());
    }
}
