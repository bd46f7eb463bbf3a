using System.Net;
using System.Net.Sockets;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Live;

/// <summary>sock_diag against the real kernel, in a private network namespace. Needs root.</summary>
public sealed class SockDiagLiveTests
{
    private static bool Is(SocketRecord r, IPEndPoint local) =>
        r.Local.Port == local.Port && r.Local.Address == InetAddress.From(local.Address);

    private static SocketRecord Single(List<SocketRecord> records, Socket socket)
    {
        ulong inode = SocketZoo.InodeOf(socket);
        return Assert.Single(records, r => r.Inode == inode);
    }

    [SkippableFact]
    public void Dump_ReportsEveryState_WithInodesTimersAndQueues()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();

        var records = zoo.DumpSettled();

        var listener = Assert.Single(records, r => r.State == (byte)TcpState.Listen);
        Assert.Equal(SocketZoo.InodeOf(zoo.Listener), listener.Inode);

        var established = Single(records, zoo.EstablishedServer);
        Assert.Equal(TcpState.Established, established.KernelState);
        Assert.Equal(SocketZoo.InodeOf(zoo.EstablishedServer), established.Inode);
        Assert.True(established.Known.HasFlag(SocketFields.TcpInfo | SocketFields.Shutdown | SocketFields.CgroupId | SocketFields.SkMemInfo));
        Assert.True(established.TcpInfoLength >= TcpInfo.SizeThroughSndWnd, $"tcp_info {established.TcpInfoLength} bytes");
        Assert.NotEqual(0UL, established.Cookie);
        Assert.NotEqual(0UL, established.CgroupId);
        Assert.True(established.RtoUs >= 200_000, $"rto {established.RtoUs} us"); // TCP_RTO_MIN is 200 ms
        Assert.Equal(0, established.Shutdown);

        // Server side of the closed connection: FIN received (RCV_SHUTDOWN), never read: Recv-Q 1.
        var closeWait = Single(records, zoo.CloseWaitServer);
        Assert.Equal(TcpState.CloseWait, closeWait.KernelState);
        Assert.Equal(1u, closeWait.RecvQ);
        Assert.Equal(1, closeWait.Shutdown);
        Assert.Equal(SocketZoo.InodeOf(zoo.CloseWaitServer), closeWait.Inode);

        // Orphaned FIN_WAIT2: a timewait mini-socket with sub-state FIN_WAIT2, no inode, no attributes,
        // timer 3 with at most tcp_fin_timeout (60 s) left (net/ipv4/tcp.c:__tcp_close → tcp_time_wait).
        // Rarely (ACK processed while the closer held the socket lock) it stays a full socket on the
        // keepalive timer with the same deadline (net/ipv4/tcp_input.c:tcp_rcv_state_process).
        var orphan = Assert.Single(records, r => Is(r, zoo.OrphanClientEndpoint));
        Assert.Equal(TcpState.FinWait2, orphan.KernelState);
        Assert.Equal(0UL, orphan.Inode);
        Assert.InRange(orphan.TimerExpiresMs, 50_000u, 60_000u);
        if (orphan.Timer == (byte)TimerKind.Timewait)
        {
            Assert.False(orphan.Known.HasFlag(SocketFields.TcpInfo));
        }
        else
        {
            Assert.Equal((byte)TimerKind.Keepalive, orphan.Timer);
        }

        var timeWait = Assert.Single(records, r => Is(r, zoo.TimeWaitClientEndpoint));
        Assert.Equal(TcpState.TimeWait, timeWait.KernelState);
        Assert.Equal((byte)TimerKind.Timewait, timeWait.Timer);
        Assert.InRange(timeWait.TimerExpiresMs, 50_000u, 60_000u);
        Assert.Equal(0UL, timeWait.Inode);

        // Half-closed FIN_WAIT2: a full socket with our inode, SEND_SHUTDOWN, tcp_info, no timewait timer.
        var halfClosed = Single(records, zoo.HalfClosedClient);
        Assert.Equal(TcpState.FinWait2, halfClosed.KernelState);
        Assert.Equal(SocketZoo.InodeOf(zoo.HalfClosedClient), halfClosed.Inode);
        Assert.Equal(2, halfClosed.Shutdown);
        Assert.NotEqual((byte)TimerKind.Timewait, halfClosed.Timer);
        Assert.True(halfClosed.Known.HasFlag(SocketFields.TcpInfo));

        var halfClosedPeer = Single(records, zoo.HalfClosedServer);
        Assert.Equal(TcpState.CloseWait, halfClosedPeer.KernelState);
    }

    [SkippableFact]
    public void Dump_BoundInactiveMask_ShowsBoundOnlySockets()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();

        var bound = zoo.WithSockDiag(d =>
        {
            var into = new List<SocketRecord>();
            Assert.True(d.Dump(AddressFamilies.Inet, TcpStateMask.BoundInactive, DiagExtensions.None, into).IsComplete);
            return into;
        });

        // net/ipv4/inet_diag.c:inet_diag_dump_icsk walks the bind hash for TCPF_BOUND_INACTIVE, but the
        // record carries the socket's real state, TCP_CLOSE (7), not 13 (measured on 6.18).
        var record = Assert.Single(bound);
        Assert.Equal(TcpState.Close, record.KernelState);
        Assert.Equal(SocketZoo.InodeOf(zoo.BoundOnly), record.Inode);
        Assert.Equal(((IPEndPoint)zoo.BoundOnly.LocalEndPoint!).Port, record.Local.Port);
    }

    [SkippableFact]
    public void Ipv6_DumpAndExactLookup_UseSixteenByteAddresses()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();

        var (records, status, found) = zoo.WithSockDiag(d =>
        {
            var into = new List<SocketRecord>();
            Assert.True(d.Dump(AddressFamilies.Inet6, TcpStateMask.All, DiagExtensions.TcpInfo, into).IsComplete);
            var server = into.Single(r => r.Inode == SocketZoo.InodeOf(zoo.V6Server));
            return (into, d.Lookup(server.Tuple, out var r, out _), r);
        });

        Assert.All(records, r => Assert.Equal(AddressFamilies.Inet6, r.Family));
        Assert.Equal(2, records.Count(r => r.KernelState == TcpState.Established));
        Assert.Equal(LookupStatus.Found, status);
        Assert.Equal("::1", found.Local.Address.ToString());
        Assert.Equal(((IPEndPoint)zoo.V6Server.LocalEndPoint!).Port, found.Local.Port);
        Assert.Equal(SocketZoo.InodeOf(zoo.V6Server), found.Inode);
    }

    [SkippableFact]
    public void One_dump_of_both_families_returns_exactly_what_the_two_per_family_dumps_return()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();

        var (both, v4, v6) = zoo.WithSockDiag(d =>
        {
            var all = new List<SocketRecord>();
            var four = new List<SocketRecord>();
            var six = new List<SocketRecord>();
            Assert.True(d.Dump(AddressFamilies.Unspecified, TcpStateMask.All, DiagExtensions.TcpInfo, all).IsComplete);
            Assert.True(d.Dump(AddressFamilies.Inet, TcpStateMask.All, DiagExtensions.TcpInfo, four).IsComplete);
            Assert.True(d.Dump(AddressFamilies.Inet6, TcpStateMask.All, DiagExtensions.TcpInfo, six).IsComplete);
            return (all, four, six);
        });

        Assert.Contains(both, r => r.Family == AddressFamilies.Inet);
        Assert.Contains(both, r => r.Family == AddressFamilies.Inet6);
        // The same sockets (states may move on between the three dumps: the zoo's closes are still settling).
        Assert.Equal(v4.Concat(v6).Select(r => r.Cookie).Order(), both.Select(r => r.Cookie).Order());
        Assert.All(both.Where(r => r.Inode == SocketZoo.InodeOf(zoo.EstablishedServer)), r => Assert.True(r.Known.HasFlag(SocketFields.TcpInfo)));
    }

    [SkippableFact]
    public void Dump_StateMask_SelectsOnlyRequestedStates()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        zoo.DumpSettled();

        var closeWaits = zoo.WithSockDiag(d =>
        {
            var into = new List<SocketRecord>();
            Assert.True(d.Dump(AddressFamilies.Inet, TcpStateMask.CloseWait, DiagExtensions.None, into).IsComplete);
            return into;
        });

        Assert.Equal(2, closeWaits.Count);
        Assert.All(closeWaits, r => Assert.Equal(TcpState.CloseWait, r.KernelState));
        Assert.All(closeWaits, r => Assert.False(r.Known.HasFlag(SocketFields.TcpInfo)));
    }

    [SkippableFact]
    public void Lookup_ByExactTuple_FindsFullAndTimewaitSockets_AndNothingElse()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        var records = zoo.DumpSettled();
        var halfClosed = Single(records, zoo.HalfClosedClient);
        var orphan = Assert.Single(records, r => Is(r, zoo.OrphanClientEndpoint));

        var (status1, found1) = zoo.WithSockDiag(d => (d.Lookup(halfClosed.Tuple, out var r, out _), r));
        Assert.Equal(LookupStatus.Found, status1);
        Assert.Equal(halfClosed.Cookie, found1.Cookie);
        Assert.Equal(halfClosed.Inode, found1.Inode);
        Assert.True(found1.Known.HasFlag(SocketFields.TcpInfo));

        var (status2, found2) = zoo.WithSockDiag(d => (d.Lookup(orphan.Tuple, out var r, out _), r));
        Assert.Equal(LookupStatus.Found, status2);
        Assert.Equal(TcpState.FinWait2, found2.KernelState);
        Assert.Equal(orphan.Timer, found2.Timer);

        var missing = halfClosed.Tuple with { Remote = halfClosed.Remote with { Port = 1 } };
        var status3 = zoo.WithSockDiag(d => d.Lookup(missing, out _, out _));
        Assert.Equal(LookupStatus.NotFound, status3);

        // A wrong cookie must not match even though the tuple does (net/core/sock_diag.c:sock_diag_check_cookie).
        var status4 = zoo.WithSockDiag(d => d.Lookup(halfClosed.Tuple, out _, out _, cookie: halfClosed.Cookie + 1));
        Assert.Equal(LookupStatus.NotFound, status4);
    }

    [SkippableFact]
    public void Destroy_AbortsTheSocket_ThenReportsGone_AndOwnerSeesConnectionAborted()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        var records = zoo.DumpSettled();
        var established = Single(records, zoo.EstablishedServer);

        var wrongCookie = zoo.WithSockDiag(d => d.Destroy(established.Tuple, established.Cookie + 1));
        Assert.Equal(DestroyStatus.Gone, wrongCookie.Status);

        var destroyed = zoo.WithSockDiag(d => d.Destroy(established.Tuple, established.Cookie));
        Assert.Equal(DestroyStatus.Destroyed, destroyed.Status);
        Assert.Null(destroyed.Error);

        var (after, record) = zoo.WithSockDiag(d => (d.Lookup(established.Tuple, out var r, out _), r));
        Assert.True(after == LookupStatus.NotFound, record.ToString());

        var again = zoo.WithSockDiag(d => d.Destroy(established.Tuple, established.Cookie));
        Assert.Equal(DestroyStatus.Gone, again.Status);
        Assert.Equal(Errno.ENOENT, again.Error!.Value.Errno);

        // Without a cookie the kernel would fall back to the listener on the same port; the
        // cookie-less Destroy must report Gone and leave the listener alone.
        var noCookie = zoo.WithSockDiag(d => d.Destroy(established.Tuple));
        Assert.Equal(DestroyStatus.Gone, noCookie.Status);
        Assert.Single(zoo.DumpAll(), r => r.State == (byte)TcpState.Listen);

        // The owner keeps its descriptor; its next receive fails with ECONNABORTED (tcp_abort sets sk_err).
        var error = Assert.Throws<SocketException>(() => zoo.EstablishedServer.Receive(new byte[1]));
        Assert.Equal(SocketError.ConnectionAborted, error.SocketErrorCode);
    }

    [SkippableFact]
    public void Destroy_WithoutCapNetAdmin_IsPermissionDenied_AndTheSocketSurvives()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        var records = zoo.DumpSettled();
        var established = Single(records, zoo.EstablishedServer);

        // Drop to uid 65534 on this thread only (raw setresuid affects the calling thread, unlike
        // glibc's wrapper which broadcasts to all threads); changing away from uid 0 clears the
        // thread's effective capabilities, so sock_diag_destroy's CAP_NET_ADMIN check fails.
        var result = zoo.WithSockDiag(d =>
        {
            Assert.Equal(0, ThreadCredentials.DropToNobody());
            return d.Destroy(established.Tuple, established.Cookie);
        });

        Assert.Equal(DestroyStatus.PermissionDenied, result.Status);
        Assert.Equal(Errno.EPERM, result.Error!.Value.Errno);
        Assert.Equal(LookupStatus.Found, zoo.WithSockDiag(d => d.Lookup(established.Tuple, out _, out _)));
    }

    [SkippableFact]
    public void Destroy_TimewaitSocket_IsSupportedOnThisKernel()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        var records = zoo.DumpSettled();
        var orphan = Assert.Single(records, r => Is(r, zoo.OrphanClientEndpoint));

        var destroyed = zoo.WithSockDiag(d => d.Destroy(orphan.Tuple));

        // Linux >= 6.0 (af9784d007d8) can destroy timewait sockets; older kernels answer EOPNOTSUPP.
        Assert.Equal(DestroyStatus.Destroyed, destroyed.Status);
        Assert.Equal(LookupStatus.NotFound, zoo.WithSockDiag(d => d.Lookup(orphan.Tuple, out _, out _)));
    }
}
