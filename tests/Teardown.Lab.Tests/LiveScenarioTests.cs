using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

[Collection("live kernel")]
public sealed class LiveScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NormalClose_ClientTimeWait_ServerCloseWaitWithFinInRecvQ()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.1, new CloseCall("client", "C"))
            .Expect(0.1, "C", TcpState.FinWait2)
            .Expect(0, "S", TcpState.CloseWait, recvq: 1)
            .Packets(0, "client", "server", "S . F.")
            .Packets(0, "server", "client", "S. .")
            .At(0, new CloseCall("server", "S"))
            .Expect(0.1, "C", TcpState.TimeWait, TimerKind.Timewait)
            .Expect(0, "S", null)
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        var obs = trace.OfType<ObservationTraced>().ToList();
        Assert.Equal(TcpState.FinWait2, ((EndObservation)obs[0].Observed).State);
        Assert.True(((EndObservation)obs[0].Observed).Orphan);
        var s1 = (EndObservation)obs[1].Observed;
        Assert.Equal(TcpState.CloseWait, s1.State);
        Assert.Equal(1, s1.RecvQ);
        Assert.False(s1.Orphan);
        Assert.Equal("S . F.", Flags(obs[2]));
        Assert.Equal("S. .", Flags(obs[3]));
        var c2 = (EndObservation)obs[4].Observed;
        Assert.Equal(TcpState.TimeWait, c2.State);
        Assert.Equal(TimerKind.Timewait, c2.Timer);
        Assert.InRange(c2.Expires!.Value.TotalSeconds, 55, 60);
        Assert.Null(((EndObservation)obs[5].Observed).State);
        Assert.All(trace.OfType<CallTraced>(), c => Assert.Equal(Errno.None, c.Outcome.Errno));
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "C" && t.To == TcpState.SynSent);
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "S" && t.To == TcpState.CloseWait);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    private static string Flags(ObservationTraced o) => string.Join(' ', ((PacketsObservation)o.Observed).Flags.Select(f => f.ToNotation()));
}

[Collection("live kernel")]
public sealed class LiveParallelTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoRunsAtOnce_SameAddressesAndPorts_TracesDoNotMix()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario Make() => new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.1, new CloseCall("client", "C"))
            .Expect(0.1, "S", TcpState.CloseWait, recvq: 1)
            .Build();
        ScenarioTrace[] traces = await Task.WhenAll(new KernelTarget().PlayAsync(Make(), CancellationToken.None), new KernelTarget().PlayAsync(Make(), CancellationToken.None));
        foreach (ScenarioTrace t in traces)
        {
            Trace.Dump(t, output);
            Assert.Single(t.OfType<TransitionTraced>(), x => x.End == "C" && x.To == TcpState.SynSent);
            Assert.Single(t.OfType<TransitionTraced>(), x => x.End == "S" && x.To == TcpState.CloseWait);
            Assert.Equal(5, t.OfType<SegmentTraced>().Count()); // S S. . then F. .
            Assert.Equal(TcpState.CloseWait, ((EndObservation)t.OfType<ObservationTraced>().Single().Observed).State);
        }

        Assert.Empty(LiveKernel.OurNamespaces());
    }
}
