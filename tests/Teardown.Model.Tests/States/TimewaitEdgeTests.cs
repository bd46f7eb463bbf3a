using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.States;

/// <summary>
/// Edges of the timewait code that the per-row tables leave implicit: what the out-of-window rate limit applies
/// to, PAWS, and tcp_max_tw_buckets (spec §3.0 step 2, §3.2, §6.1.11; tcp_input.c:tcp_oow_rate_limited;
/// tcp_minisocks.c:tcp_timewait_state_process, tcp_time_wait).
/// </summary>
public sealed class TimewaitEdgeTests
{
    [Fact]
    public void TimeWait_RetransmittedFinTwiceWithin500ms_IsAckedBothTimes()
    {
        // tcp_oow_rate_limited limits only segments with seq == end_seq (or SYNs): a FIN occupies sequence
        // space, so a retransmitted FIN is never rate-limited — each one is ACKed.
        var t = Fixtures.TimeWait();
        t.Inject(t.Fin(seq: -1)).Run(100).Inject(t.Fin(seq: -1));
        Assert.Equal(2, t.TakeSent().Count(s => s.Flags == TcpFlags.Ack));
        Assert.Equal(0, t.Delta(Mib.TCPACKSkippedTimeWait));
    }

    [Fact]
    public void CloseWait_RetransmittedFinTwiceWithin500ms_IsAckedBothTimes()
    {
        // Old data (a retransmitted FIN) is ACKed at once each time (§3.0 ACK timing); no rate limit applies.
        var t = Fixtures.CloseWait();
        t.Inject(t.Fin(seq: -1)).Run(100).Inject(t.Fin(seq: -1));
        Assert.Equal(2, t.TakeSent().Count(s => s.Flags == TcpFlags.Ack));
    }

    [Fact]
    public void TimeWait_PawsRejectedSegment_IsAcked_CountsPawsEstab_RestartsTimer()
    {
        // §3.2 TIME_WAIT "PAWS-rejected: as above, plus PAWSEstab"; timer restarted (paws_reject || th->ack)
        var t = Fixtures.TimeWait();
        t.RunSeconds(10);
        var old = t.Ack(seq: -1) with { TsVal = t.Timewait!.TsRecent - 1000 };

        t.Inject(old);

        t.ExpectSent(".", ack: t.RcvNxt);
        Assert.Equal(1, t.Delta(Mib.PAWSEstab));
        t.ExpectTimer(TimerKind.Timewait, 60.0);
    }

    [Fact]
    public void Established_PawsRejectedData_IsDroppedWithDupAck_CountsPawsEstab()
    {
        // §3.0 step 2: a non-RST segment failing PAWS gets a dup ACK and is dropped (tcp_validate_incoming)
        var t = Fixtures.Established();
        t.Inject(t.Data(10)).Run(300).TakeSent();
        Assert.Equal(10, t.Recv().Value);
        var stale = t.Data(10) with { TsVal = t.Sock.TsRecent - 1000 };

        t.Inject(stale);

        t.ExpectSent(".", ack: t.RcvNxt);
        Assert.Equal(1, t.Delta(Mib.PAWSEstab));
        Assert.Equal(Errno.EAGAIN, t.Recv().Errno);
    }

    [Fact]
    public void MaxTwBucketsReached_ConnectionVanishesSilently_ThePeersFinGetsAReplyRst()
    {
        // §6.1.11 [E6.18]: no timewait socket, TCPTimeWaitOverflow, a later FIN gets `[R]`
        var t = Fixtures.FinWait2Orphan(local: k => k.TcpMaxTwBuckets = 0);

        t.ExpectGone();
        // (the overflow happened inside the fixture, before its baseline: read the counters absolutely)
        Assert.Equal(1, t.Local.Counter(Mib.TCPTimeWaitOverflow));
        Assert.Equal(0, t.Local.Counter(Mib.TW));

        var fin = t.Fin();
        t.Inject(fin);
        t.ExpectSent("R", seq: fin.Ack);
    }
}

/// <summary>TIME_WAIT SYN acceptance by timestamp (spec §3.2 TIME_WAIT SYN row: "seq > rcv_nxt or a newer timestamp").</summary>
public sealed class TimeWaitSynTimestampTests
{
    [Fact]
    public void TimeWait_SynWithOldSeqButNewerTimestamp_GoesToTheListener()
    {
        var t = Fixtures.TimeWait();
        t.Local.Listen(t.Tuple.LocalPort);
        t.RunSeconds(1);
        var syn = t.Syn(seq: -1000) with { TsVal = t.Timewait!.TsRecent + 1000 };

        t.Inject(syn);

        t.ExpectSent("S.", ack: Seq.Add(syn.Seq, 1));
        Assert.Equal(TcpState.SynRecv, t.View.State);
    }
}

/// <summary>Listener close with queued children (spec §6.3, UNVERIFIED there: an RST for ESTABLISHED children).</summary>
public sealed class ListenerCloseTests
{
    [Fact]
    public void ListenerClose_ResetsAnEstablishedChildNotYetAccepted()
    {
        var t = new TcpScript();
        int lfd = (int)t.Peer.Listen(TcpScript.ServerPort).Value;
        t.Local.Connect(TcpScript.PeerAddr, TcpScript.ServerPort, out int fd);
        t.Run(10);
        Assert.Equal(TcpState.Established, t.Local.SocketOf(fd)!.State);

        t.Peer.Close(lfd);
        t.Run(10);

        Assert.Equal(TcpState.Close, t.Local.SocketOf(fd)!.State);
        Assert.Equal(Errno.ECONNRESET, t.Local.Recv(fd, 10).Errno);
        Assert.Empty(t.Peer.KernelSockets);
    }
}
