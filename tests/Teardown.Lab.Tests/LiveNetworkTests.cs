using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>Link delay and the polling fallback, live.</summary>
[Collection("live kernel")]
public sealed class LiveNetworkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LinkDelay_ConnectTakesOneRoundTrip_SegmentsArriveAfterTheDelay()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .Link("client", "server", TimeSpan.FromMilliseconds(40))
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0.05, new ConnectCall("client", "C", "server", 8080))
            .At(0.2, new NetDelay("client", "server", TimeSpan.Zero))
            .At(0, new SendCall("client", "C", 3))
            .Packets(0.1, "client", "server", "S . P.")
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        CallTraced connect = trace.OfType<CallTraced>().Single(c => c.Line.Statement is ConnectCall);
        double rtt = (connect.Returned - connect.At).TotalMilliseconds;
        Assert.InRange(rtt, 79, 110); // 2 × 40 ms one-way
        var segs = trace.OfType<SegmentTraced>().ToList();
        SegmentTraced syn = segs.Single(x => x.Flags == TcpFlags.Syn);
        SegmentTraced synAck = segs.Single(x => x.Flags == (TcpFlags.Syn | TcpFlags.Ack));
        Assert.InRange((synAck.At - syn.At).TotalMilliseconds, 39, 60); // the server answers when the SYN arrives
        Assert.Equal(["S", ".", "P."], ((PacketsObservation)trace.OfType<ObservationTraced>().Single().Observed).Flags.Select(f => f.ToNotation()));
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task WithoutTracepoint_TransitionsComeFromPolling_AndTheTraceSaysSo()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.1, new CloseCall("client", "C"))
            .Expect(0.1, "S", TcpState.CloseWait, recvq: 1)
            .Build();
        ScenarioTrace trace = await new KernelTarget(new KernelTargetOptions { UseTracepoint = false }).PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        Assert.Contains(trace.OfType<NoteTraced>(), n => n.Text.Contains("transitions by polling sock_diag", StringComparison.Ordinal));
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "S" && t.To == TcpState.CloseWait && t.Cause.Contains("poll", StringComparison.Ordinal));
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "C" && t.To == TcpState.FinWait2);
        Assert.Contains(trace.OfType<TransitionTraced>(), t => t.End == "L" && t.To == TcpState.Listen);
    }
}
