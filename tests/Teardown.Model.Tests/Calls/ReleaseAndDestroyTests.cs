using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>
/// What another process does to a socket the host holds (issue 10): release — shutdown(SHUT_WR) on a
/// pidfd_getfd duplicate (tcp.c:tcp_shutdown) — and SOCK_DESTROY (tcp_diag.c:tcp_diag_destroy → tcp.c:tcp_abort).
/// Facts measured on 6.18: docs/release-and-kill.md.
/// </summary>
public sealed class ReleaseAndDestroyTests
{
    // ------------------------------------------------------------------ release

    [Fact]
    public void Release_of_a_close_wait_socket_sends_our_fin_and_leaves_the_descriptor_open()
    {
        var t = Fixtures.CloseWait();

        Assert.Equal(SyscallResult.Ok(), t.Local.ReleaseWrite(t.Fd));

        t.ExpectSent("F.", ack: t.RcvNxt);
        t.ExpectState(TcpState.LastAck).ExpectTimer(TimerKind.Retransmit);
        Assert.False(t.View.Orphan);
        Assert.Same(t.Sock, t.Local.SocketOf(t.Fd));
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(SyscallResult.Fail(Errno.EPIPE), t.Send(1));
    }

    [Fact]
    public void Release_with_unread_data_sends_a_fin_never_a_rst_and_the_data_stays_readable()
    {
        var t = Fixtures.Established();
        t.Inject(t.Data(5)).Inject(t.Fin()).Run(300).Baseline();

        t.Local.ReleaseWrite(t.Fd);

        t.ExpectSent("F.");
        Assert.Equal(0, t.Delta(Mib.TCPAbortOnClose));
        Assert.Equal(0, t.Delta(Mib.OutRsts));
        Assert.Equal(SyscallResult.Ok(5), t.Recv(10));
        Assert.Equal(SyscallResult.Ok(0), t.Recv(10));
    }

    [Fact]
    public void Released_close_wait_ends_in_close_on_its_descriptor_when_the_peer_acks()
    {
        var t = Fixtures.CloseWait();
        t.Local.ReleaseWrite(t.Fd);

        t.Inject(t.Ack());

        t.ExpectState(TcpState.Close);
        Assert.Null(t.Local.Lookup(t.Tuple));
        Assert.Equal(0, t.Delta(Mib.EstabResets));
    }

    [Fact]
    public void Release_of_a_closed_descriptor_is_ebadf_from_pidfd_getfd()
    {
        var t = Fixtures.CloseWait();
        t.Close();
        t.Baseline();

        Assert.Equal(SyscallResult.Fail(Errno.EBADF), t.Local.ReleaseWrite(t.Fd));
        t.ExpectNothingSent();
    }

    [Fact]
    public void Release_of_a_socket_reset_earlier_is_enotconn_from_shutdown()
    {
        var t = Fixtures.Established();
        t.Inject(t.Rst());

        Assert.Equal(SyscallResult.Fail(Errno.ENOTCONN), t.Local.ReleaseWrite(t.Fd));
    }

    [Fact]
    public void Release_of_a_half_closed_fin_wait2_changes_nothing()
    {
        var t = Fixtures.FinWait2Attached();

        Assert.Equal(SyscallResult.Ok(), t.Local.ReleaseWrite(t.Fd));

        t.ExpectNothingSent();
        t.ExpectState(TcpState.FinWait2);
    }

    // ------------------------------------------------------------------ destroy

    [Fact]
    public void Destroy_of_an_established_socket_resets_the_peer_and_reports_econnaborted_on_read_then_epipe()
    {
        var t = Fixtures.Established();

        Assert.Equal(SyscallResult.Ok(), t.Local.SockDestroy(t.Tuple));

        t.ExpectSent("R.", seq: t.SndNxt, ack: t.RcvNxt);
        t.ExpectState(TcpState.Close);
        Assert.False(t.View.Orphan);
        Assert.Equal(SyscallResult.Fail(Errno.ECONNABORTED), t.Recv());
        Assert.Equal(SyscallResult.Fail(Errno.EPIPE), t.Send(1));
        Assert.Equal(1, t.Delta(Mib.EstabResets));
        Assert.Equal(1, t.Delta(Mib.OutRsts));
    }

    [Fact]
    public void Destroy_of_a_held_close_wait_socket_reads_the_end_of_stream_first_then_econnaborted_on_write()
    {
        var t = Fixtures.CloseWait();

        t.Local.SockDestroy(t.Tuple);

        t.ExpectSent("R.");
        Assert.Equal(SyscallResult.Ok(0), t.Recv());
        Assert.Equal(SyscallResult.Fail(Errno.ECONNABORTED), t.Send(1));
        Assert.Equal(SyscallResult.Fail(Errno.EPIPE), t.Send(1));
    }

    [Fact]
    public void Destroy_touches_no_abort_counter()
    {
        var t = Fixtures.CloseWait();

        t.Local.SockDestroy(t.Tuple);

        foreach (Mib m in new[] { Mib.TCPAbortOnClose, Mib.TCPAbortOnData, Mib.TCPAbortOnLinger, Mib.TCPAbortOnMemory, Mib.TCPAbortOnTimeout })
        {
            Assert.Equal(0, t.Delta(m));
        }
    }

    [Fact]
    public void Destroy_of_an_orphaned_fin_wait1_sends_a_rst_and_frees_it()
    {
        var t = Fixtures.FinWait1();
        int orphans = t.Local.OrphanCount;

        Assert.Equal(SyscallResult.Ok(), t.Local.SockDestroy(t.Tuple));

        t.ExpectSent("R.");
        t.ExpectGone();
        Assert.Equal(orphans - 1, t.Local.OrphanCount);
    }

    [Fact]
    public void Destroy_of_an_orphaned_last_ack_is_silent()
    {
        var t = Fixtures.LastAck();

        t.Local.SockDestroy(t.Tuple);

        t.ExpectNothingSent();
        t.ExpectGone();
        Assert.Equal(0, t.Local.OrphanCount);
    }

    [Fact]
    public void Destroy_of_an_orphaned_closing_socket_is_silent()
    {
        var t = Fixtures.Closing();

        t.Local.SockDestroy(t.Tuple);

        t.ExpectNothingSent();
        t.ExpectGone();
    }

    [Fact]
    public void Destroy_of_a_fin_wait2_timewait_socket_is_silent_and_a_later_fin_meets_a_reset()
    {
        var t = Fixtures.FinWait2Orphan();
        Assert.NotNull(t.Timewait);

        Assert.Equal(SyscallResult.Ok(), t.Local.SockDestroy(t.Tuple));

        t.ExpectNothingSent();
        Assert.Null(t.View.State);
        Assert.Equal(0, t.Local.TimewaitCount);
        t.Inject(t.Fin());
        t.ExpectSent("R");
    }

    [Fact]
    public void Destroy_of_a_time_wait_socket_is_silent()
    {
        var t = Fixtures.TimeWait();

        t.Local.SockDestroy(t.Tuple);

        t.ExpectNothingSent();
        t.ExpectGone(); // the timewait socket is freed; what is left is the CLOSE socket on its descriptor
        Assert.Equal(0, t.Local.TimewaitCount);
        Assert.Equal(0, t.Delta(Mib.OutRsts));
    }

    [Fact]
    public void Destroy_of_a_syn_sent_socket_ends_the_blocked_connect_with_econnaborted_and_sends_nothing()
    {
        var t = Fixtures.SynSent();

        t.Local.SockDestroy(t.Tuple);

        t.ExpectNothingSent();
        Assert.True(t.ConnectCall!.Completed);
        Assert.Equal(SyscallResult.Fail(Errno.ECONNABORTED), t.ConnectCall.Result);
        Assert.Equal(1, t.Delta(Mib.AttemptFails));
    }

    [Fact]
    public void Destroy_of_nothing_or_of_a_close_socket_is_enoent()
    {
        var t = Fixtures.Established();
        t.Inject(t.Rst());
        t.ExpectState(TcpState.Close);

        Assert.Equal(SyscallResult.Fail(Errno.ENOENT), t.Local.SockDestroy(t.Tuple));

        t.Close();
        Assert.Equal(SyscallResult.Fail(Errno.ENOENT), t.Local.SockDestroy(t.Tuple));
    }
}
