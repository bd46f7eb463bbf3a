using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;
using Xunit.Abstractions;

namespace Teardown.Linux.Tests.Live;

/// <summary>
/// Kill: SOCK_DESTROY (net/ipv4/tcp_diag.c:tcp_diag_destroy → net/ipv4/tcp.c:tcp_abort) on each kind
/// of stuck socket: the kernel's answer, whether an RST leaves, the state afterwards, and what the
/// owner and the peer then see. On 6.11+ tcp_abort also resets and finishes orphans (bac76cf89816);
/// the RST goes out only for the states tcp_need_reset names (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1,
/// FIN_WAIT2, SYN_RECV); a timewait mini-socket is just unhashed.
/// </summary>
public sealed class DestroyLiveTests(ITestOutputHelper output)
{
    private static int Port(EndPoint endpoint) => ((IPEndPoint)endpoint).Port;

    private DestroyResult Destroy(HandsLab lab, EndPoint local, EndPoint remote)
    {
        var record = lab.Find(local, remote);
        Assert.True(record.HasValue, "nothing to destroy");
        output.WriteLine($"before: {record}");
        return lab.Diag.Destroy(record.Value.Tuple, record.Value.Cookie);
    }

    private List<Segment> Wire(HandsLab lab, EndPoint a, EndPoint b)
    {
        var wire = lab.Wire(a, b);
        output.WriteLine(string.Join("\n", wire));
        return wire;
    }

    [SkippableFact]
    public void Destroy_OrphanedFinWait1RetransmittingToADeadPeer_SendsRst_AndRemovesIt()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (client, server) = lab.Pair();
        EndPoint local = client.LocalEndPoint!, remote = client.RemoteEndPoint!;
        lab.SilencePeer();
        client.Dispose();
        Thread.Sleep(700); // RTO 200 ms + backoff: at least one retransmission of the FIN
        var before = lab.Find(local, remote)!.Value;
        Assert.Equal(TcpState.FinWait1, before.KernelState);
        Assert.Equal(0UL, before.Inode);
        Assert.True(Wire(lab, local, remote).Count(s => s.Fin) >= 2, "FIN retransmitted");

        var result = Destroy(lab, local, remote);

        Assert.Equal(DestroyStatus.Destroyed, result.Status);
        var wire = Wire(lab, local, remote);
        Assert.Single(wire, s => s.Rst && s.SourcePort == Port(local));
        Assert.Null(lab.Find(local, remote));
        GC.KeepAlive(server);
    }

    [SkippableFact]
    public void Destroy_OrphanedLastAckRetransmittingToADeadPeer_RemovesIt_WithoutRst()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (client, server) = lab.Pair();
        EndPoint local = client.LocalEndPoint!, remote = client.RemoteEndPoint!;
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(local, remote, TcpState.CloseWait));
        lab.SilencePeer();
        client.Dispose();
        Thread.Sleep(700);
        var before = lab.Find(local, remote)!.Value;
        Assert.Equal(TcpState.LastAck, before.KernelState);
        Assert.True(Wire(lab, local, remote).Count(s => s.Fin) >= 2, "FIN retransmitted");

        var result = Destroy(lab, local, remote);

        Assert.Equal(DestroyStatus.Destroyed, result.Status);
        Assert.DoesNotContain(Wire(lab, local, remote), s => s.Rst);
        Assert.Null(lab.Find(local, remote));
    }

    [SkippableFact]
    public void Destroy_OrphanedFinWait2TimewaitMiniSocket_RemovesIt_Silently_ThePeersNextSegmentMeetsRst()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (client, server) = lab.Pair();
        EndPoint local = client.LocalEndPoint!, remote = client.RemoteEndPoint!;
        client.Dispose();
        Assert.Equal(TcpState.FinWait2, lab.WaitFor(local, remote, TcpState.FinWait2));
        Assert.Equal((byte)TimerKind.Timewait, lab.Find(local, remote)!.Value.Timer);
        Wire(lab, local, remote);

        var result = Destroy(lab, local, remote);

        Assert.Equal(DestroyStatus.Destroyed, result.Status);
        Assert.Empty(Wire(lab, local, remote));
        Assert.Null(lab.Find(local, remote));
        Assert.Equal(TcpState.CloseWait, lab.Find(remote, local)?.KernelState);

        // The peer's CLOSE_WAIT is untouched; when it finally closes, its FIN finds no socket and the
        // namespace answers with an RST (net/ipv4/tcp_ipv4.c:tcp_v4_send_reset for no socket).
        server.Shutdown(SocketShutdown.Send);
        var wire = Wire(lab, local, remote);
        Assert.Contains(wire, s => s.Rst && s.SourcePort == Port(local));
        Assert.Null(lab.Find(remote, local));
    }

    [SkippableFact]
    public void Destroy_TimeWait_RemovesIt_Silently()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (client, server) = lab.Pair();
        EndPoint local = client.LocalEndPoint!, remote = client.RemoteEndPoint!;
        client.Dispose();
        Assert.Equal(0, server.Receive(new byte[1]));
        server.Dispose();
        Assert.Equal(TcpState.TimeWait, lab.WaitFor(local, remote, TcpState.TimeWait));
        Wire(lab, local, remote);

        var result = Destroy(lab, local, remote);

        Assert.Equal(DestroyStatus.Destroyed, result.Status);
        Assert.Empty(Wire(lab, local, remote));
        Assert.Null(lab.Find(local, remote));
    }

    [SkippableFact]
    public void Destroy_CloseWaitHeldByAProcess_SendsRst_OwnerReadsEofThenWriteEconnaborted_PeerGetsEconnreset()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(owner, peerEnd, TcpState.CloseWait));
        Wire(lab, owner, peerEnd);

        var result = Destroy(lab, owner, peerEnd);

        Assert.Equal(DestroyStatus.Destroyed, result.Status);
        Assert.Single(Wire(lab, owner, peerEnd), s => s.Rst && s.SourcePort == Port(owner));
        Assert.Null(lab.Find(owner, peerEnd));
        Assert.Null(lab.Find(peerEnd, owner));
        var error = Assert.Throws<SocketException>(() => peer.Receive(new byte[1]));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);

        var read = holder.Read();
        var write1 = holder.Write();
        var write2 = holder.Write();
        output.WriteLine($"owner: read {read}, write {write1}, write {write2}");

        // The FIN had arrived, and tcp_recvmsg reports a finished stream (SOCK_DONE) before a pending
        // error: the read says end of stream; the first write collects ECONNABORTED, later ones EPIPE.
        Assert.Equal((0L, Errno.None), read);
        Assert.Equal((-1L, Errno.ECONNABORTED), write1);
        Assert.Equal((-1L, Errno.EPIPE), write2);
    }

    [SkippableFact]
    public void Destroy_Established_SendsRst_OwnerGetsEconnaborted_PeerGetsEconnreset()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.Loopback();
        var (holder, peer) = lab.Held();
        EndPoint owner = peer.RemoteEndPoint!, peerEnd = peer.LocalEndPoint!;
        Assert.Equal(TcpState.Established, lab.WaitFor(owner, peerEnd, TcpState.Established));
        Wire(lab, owner, peerEnd);

        var result = Destroy(lab, owner, peerEnd);

        Assert.Equal(DestroyStatus.Destroyed, result.Status);
        Assert.Single(Wire(lab, owner, peerEnd), s => s.Rst && s.SourcePort == Port(owner));
        Assert.Null(lab.Find(owner, peerEnd));
        var error = Assert.Throws<SocketException>(() => peer.Receive(new byte[1]));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);

        var read1 = holder.Read();
        var write = holder.Write();
        output.WriteLine($"owner: read {read1}, write {write}");
        Assert.Equal((-1L, Errno.ECONNABORTED), read1);
        Assert.Equal((-1L, Errno.EPIPE), write);
    }
}
