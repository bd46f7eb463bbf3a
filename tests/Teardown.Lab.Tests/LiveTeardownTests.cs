using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>Live scenarios on the real kernel: resets, loss, crash, reboot, kill, loopback.</summary>
[Collection("live kernel")]
public sealed class LiveTeardownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CloseWithUnreadData_SendsReset_PeerSeesEconnreset()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.01, new SendCall("client", "C", 10))
            .At(0.05, new CloseCall("server", "S"))
            .Expect(0.05, "S", null)
            .Expect(0, "C", TcpState.Close, orphan: false)
            .Packets(0, "server", "client", "S. . R.")
            .At(0, new ExpectCounter("server", "TCPAbortOnClose", 1))
            .At(0, new RecvCall("client", "C", 10))
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        var obs = trace.OfType<ObservationTraced>().Select(o => o.Observed).ToList();
        Assert.Null(((EndObservation)obs[0]).State);
        Assert.Equal(TcpState.Close, ((EndObservation)obs[1]).State);
        IReadOnlyList<TcpFlags> flags = ((PacketsObservation)obs[2]).Flags;
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, flags[^1]);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, flags[0]);
        Assert.Equal(1, ((CounterObservation)obs[3]).Value);
        CallTraced recv = trace.OfType<CallTraced>().Single(c => c.Line.Statement is RecvCall);
        Assert.Equal(CallOutcome.Fail(Errno.ECONNRESET), recv.Outcome);
        SegmentTraced rst = trace.OfType<SegmentTraced>().Single(x => (x.Flags & TcpFlags.Rst) != 0);
        Assert.Equal("S", rst.End);
        Assert.Equal(1u, rst.Seq); // active reset: seq = snd_nxt (1 after the SYN), relative
        Assert.Equal(11u, rst.Ack); // rcv_nxt after 10 bytes
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "C" && t.To == TcpState.Close);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task OrphanFinDroppedByNetwork_RetransmitsThenDies_WithSmallOrphanRetries()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .Sysctl("client", "net.ipv4.tcp_orphan_retries", "1")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.05, new NetDrop("client", "server", false))
            .At(0, new CloseCall("client", "C"))
            .Expect(0.05, "C", TcpState.FinWait1, TimerKind.Retransmit, orphan: true)
            .Expect(1.5, "C", TcpState.FinWait1)
            .Expect(0.4, "C", null)
            .Packets(0, "client", "server", "S . F.")
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        var obs = trace.OfType<ObservationTraced>().Select(o => o.Observed).ToList();
        var fw1 = (EndObservation)obs[0];
        Assert.Equal(TcpState.FinWait1, fw1.State);
        Assert.Equal(TimerKind.Retransmit, fw1.Timer);
        Assert.True(fw1.Orphan);
        Assert.Equal(1, fw1.SendQ); // our FIN counts in Send-Q until ACKed
        // tcp_timer.c:tcp_write_timeout: an orphan gives up once retransmits_timed_out(tcp_orphan_retries)
        // holds — measured from the first send of the FIN, so it outlives the naive 3 × 200 ms.
        Assert.Equal(TcpState.FinWait1, ((EndObservation)obs[1]).State);
        Assert.Null(((EndObservation)obs[2]).State);
        var fins = trace.OfType<SegmentTraced>().Where(x => x.From == "client" && (x.Flags & TcpFlags.Fin) != 0).ToList();
        Assert.True(fins.Count >= 2, $"expected FIN retransmissions, saw {fins.Count}");
        Assert.All(fins, f => Assert.True(f.Dropped));
        Assert.All(fins, f => Assert.Equal(1u, f.Seq));
        // First retransmission after the minimum RTO (200 ms), give or take the scheduler.
        double gap = (fins[1].At - fins[0].At).TotalMilliseconds;
        Assert.InRange(gap, 190, 320);
        var flags = ((PacketsObservation)obs[3]).Flags;
        Assert.Equal(fins.Count + 2, flags.Count);
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "C" && t.From == TcpState.FinWait1 && t.To == null);
        Assert.Contains(trace.OfType<TimerTraced>(), t => t.End == "C" && t.Kind == TimerKind.Retransmit && t.Action == TimerAction.Armed);
        Assert.Contains(trace.OfType<TimerTraced>(), t => t.End == "C" && t.Kind == TimerKind.Retransmit && t.Action == TimerAction.Fired);
        Assert.Contains(trace.OfType<NoteTraced>(), n => n.Text.StartsWith("wire: ", StringComparison.Ordinal));
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task CrashThenReboot_PeerRetransmissionsAnsweredWithReset()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.05, new CrashHost("server"))
            .Expect(0.05, "S", null)
            .At(0, new SendCall("client", "C", 5), new ExpectedResult(5, Errno.None))
            .At(0.1, new RebootHost("server"))
            .Expect(2.0, "C", TcpState.Close)
            .At(0, new ErrorCall("client", "C"))
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        var obs = trace.OfType<ObservationTraced>().Select(o => (EndObservation)o.Observed).ToList();
        Assert.Null(obs[0].State);
        Assert.Equal(TcpState.Close, obs[1].State);
        Assert.Equal(new CallOutcome((long)Errno.ECONNRESET, Errno.ECONNRESET), trace.OfType<CallTraced>().Single(c => c.Line.Statement is ErrorCall).Outcome);
        var data = trace.OfType<SegmentTraced>().Where(x => x.From == "client" && x.Length == 5).ToList();
        Assert.True(data.Count >= 2);
        Assert.True(data[0].Dropped); // sent to a crashed host
        Assert.Contains(trace.OfType<SegmentTraced>(), x => x.From == "server" && x.Flags == TcpFlags.Rst);
        Assert.DoesNotContain(trace.OfType<SegmentTraced>(), x => x.From == "server" && x.At > trace.OfType<NetworkEventTraced>().First().At && x.At < trace.OfType<NetworkEventTraced>().Last().At);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task Reboot_IsInstantaneous_ThePeersNextLineMeetsTheFreshKernel()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.01, new AcceptCall("server", "S", "L"))
            .At(0.05, new CrashHost("server"))
            .At(0.001, new RebootHost("server"))
            .At(0.001, new SendCall("client", "C", 5), new ExpectedResult(5, Errno.None))
            .At(0.01, new ErrorCall("client", "C"))
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);

        // The boot prepared before t=0 is on the wire at the reboot's instant: the send, 1 ms later, starts on time
        // (it waited ~125 ms for a namespace, a TUN and an agent before) and the fresh kernel resets it.
        CallTraced send = trace.OfType<CallTraced>().Single(c => c.Line.Statement is SendCall);
        Assert.InRange((send.At - send.Line.At).TotalMilliseconds, -1, 20);
        Assert.Equal(new CallOutcome((long)Errno.ECONNRESET, Errno.ECONNRESET), trace.OfType<CallTraced>().Single(c => c.Line.Statement is ErrorCall).Outcome);
        Assert.Contains(trace.OfType<SegmentTraced>(), x => x.From == "server" && x.Flags == TcpFlags.Rst);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task Kill_ClosesLikeProcessExit_AndHostCanCarryOn()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.05, new SetSockOptCall("client", "C", SocketOption.SoLinger, true, 0))
            .At(0, new KillCall("client"))
            .Expect(0.1, "C", null)           // SO_LINGER 0 still applies on exit: abortive close
            .Expect(0, "S", TcpState.Close)
            .At(0.4, new ConnectCall("client", "C2", "server", 8080)) // the replacement agent needs ~0.1-0.3 s to start
            .Expect(0.05, "C2", TcpState.Established, orphan: false)
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        var obs = trace.OfType<ObservationTraced>().Select(o => (EndObservation)o.Observed).ToList();
        Assert.Null(obs[0].State);
        Assert.Equal(TcpState.Close, obs[1].State);
        Assert.Equal(TcpState.Established, obs[2].State);
        Assert.Contains(trace.OfType<SegmentTraced>(), x => x.From == "client" && x.End == "C" && (x.Flags & TcpFlags.Rst) != 0);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task LoopbackConnection_StaysInsideTheHost_AndItsSegmentsAreRecorded()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("server")
            .At(0, new ListenCall("server", "L", 9000, null))
            .At(0, new ConnectCall("server", "C", "server", 9000))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.01, new ShutdownCall("server", "C", ShutdownHow.Write))
            .Expect(0.05, "C", TcpState.FinWait2, TimerKind.None, orphan: false)
            .Expect(0, "S", TcpState.CloseWait, recvq: 1)
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        var obs = trace.OfType<ObservationTraced>().Select(o => (EndObservation)o.Observed).ToList();
        Assert.Equal(TcpState.FinWait2, obs[0].State);
        Assert.Equal(TimerKind.None, obs[0].Timer);
        Assert.Equal(TcpState.CloseWait, obs[1].State);
        Assert.Equal(1, obs[1].RecvQ);
        // Never on the wire, but recorded from the host's loopback as sent to itself, each segment once.
        Assert.Equal(["S", "S.", ".", "F.", "."], trace.OfType<SegmentTraced>().Select(x => x.Flags.ToNotation()));
        Assert.All(trace.OfType<SegmentTraced>(), x => Assert.Equal(("server", "server"), (x.From, x.To)));
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "S" && t.To == TcpState.CloseWait);
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "C" && t.To == TcpState.FinWait2);
    }
}
