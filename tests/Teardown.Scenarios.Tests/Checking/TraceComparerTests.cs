using Teardown.Model;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Tracing;
using static Teardown.Scenarios.Tests.TraceBuilder;

namespace Teardown.Scenarios.Tests.Checking;

public class TraceComparerTests
{
    // Lines: 3 listen, 4 connect, 5 accept, 6 expect C, 7 close C (blocking), 8 expect counter.
    private const string Text = """
        host client
        host server
        0 server listen L 80
        0 client connect C server:80 = 0
        +0.01 server accept S L
        1 expect C ESTABLISHED
        2...3 client close C
        4 expect server counter TCPAbortOnData 0
        """;

    private static (TraceBuilder Model, TraceBuilder Kernel) Pair() => (new TraceBuilder(Text), new TraceBuilder(Text, TargetKind.Kernel));

    /// <summary>Adds the same run to a trace; <paramref name="tweak"/> lets one side differ.</summary>
    private static TraceBuilder Run(TraceBuilder b, Action<TraceBuilder>? tweak = null)
    {
        b.Call(3, CallOutcome.Ok()).Call(4, CallOutcome.Ok()).Call(5, CallOutcome.Ok())
            .Add(new TransitionTraced(TimeSpan.Zero, "client", "C", null, TcpState.SynSent, "connect"))
            .Add(new SegmentTraced(TimeSpan.Zero, "client", "server", "C", TcpFlags.Syn, 0, 0, 0, 100, false))
            .Add(new SegmentTraced(TimeSpan.Zero, "server", "client", "S", TcpFlags.Syn | TcpFlags.Ack, 0, 1, 0, 100, false))
            .Add(new TransitionTraced(TimeSpan.Zero, "client", "C", TcpState.SynSent, TcpState.Established, "SYN-ACK"))
            .Observe(6, End(TcpState.Established))
            .Call(7, CallOutcome.Ok(), 3)
            .Observe(8, new CounterObservation(0));
        tweak?.Invoke(b);
        return b;
    }

    [Fact]
    public void Identical_runs_agree_and_every_aspect_was_compared()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Comparison c = TraceComparer.Compare(Run(m).Trace, Run(k).Trace);
        Assert.True(c.Agrees);
        Assert.Equal(
            [(Aspects.Result, 4), (Aspects.ReturnTime, 4), (Aspects.Observation, 2), (Aspects.States, 3), (Aspects.Segments, 2), (Aspects.Counter, 0)],
            c.Summary.Select(s => (s.Aspect, s.Compared)));
        Assert.All(c.Summary, s => Assert.Equal(0, s.Diverged));
    }

    [Fact]
    public void Different_result_diverges_on_that_line()
    {
        var m = new TraceBuilder(Text);
        var k = new TraceBuilder(Text, TargetKind.Kernel);
        Run(k.Call(4, CallOutcome.Fail(Errno.ECONNREFUSED)));
        Divergence d = Assert.Single(TraceComparer.Compare(Run(m).Trace, k.Trace).Divergences);
        Assert.Equal((4, Aspects.Result, "= 0", "= -1 ECONNREFUSED"), (d.Line!.Where.Line, d.Aspect, d.Model, d.Kernel));
    }

    [Fact]
    public void A_call_performed_on_one_side_only_diverges()
    {
        var m = new TraceBuilder(Text).Call(3, CallOutcome.Ok());
        var k = new TraceBuilder(Text, TargetKind.Kernel);
        Divergence d = Assert.Single(TraceComparer.Compare(m.Trace, k.Trace).Divergences);
        Assert.Equal((Aspects.Result, "= 0", ExpectationChecker.NotPerformed), (d.Aspect, d.Model, d.Kernel));
    }

    [Theory]
    [InlineData(3.05, false)]
    [InlineData(3.051, true)]
    [InlineData(2.95, false)]
    public void Return_times_diverge_beyond_tolerance(double kernelReturn, bool diverges)
    {
        var m = new TraceBuilder(Text);
        var kernel = new TraceBuilder(Text, TargetKind.Kernel).Call(7, CallOutcome.Ok(), kernelReturn);
        Run(kernel);
        Comparison c = TraceComparer.Compare(Run(m).Trace, kernel.Trace);
        Assert.Equal(diverges, c.Divergences.Any(d => d.Aspect == Aspects.ReturnTime));
        if (diverges) Assert.Equal("returned at 3.051s after 1.051s", c.Divergences.Single().Kernel);
    }

    [Theory]
    [InlineData(2.2, 3.2, false)] // started 0.2 s late by the lab, blocked as long as the model's: not the kernel's doing
    [InlineData(2.0, 3.3, true)]  // blocked 1.3 s where the model's close blocked 1 s
    public void Return_times_compare_how_long_the_call_took(double kernelStart, double kernelReturn, bool diverges)
    {
        var m = new TraceBuilder(Text);
        var kernel = new TraceBuilder(Text, TargetKind.Kernel).Call(7, CallOutcome.Ok(), kernelReturn, kernelStart);
        Run(kernel);
        Comparison c = TraceComparer.Compare(Run(m).Trace, kernel.Trace);
        Assert.Equal(diverges, c.Divergences.Any(d => d.Aspect == Aspects.ReturnTime));
    }

    [Fact]
    public void Observations_diverge_on_state_and_say_what_each_side_saw()
    {
        var m = new TraceBuilder(Text);
        var kernel = new TraceBuilder(Text, TargetKind.Kernel).Observe(6, End(TcpState.CloseWait, recvq: 1));
        Divergence d = Assert.Single(TraceComparer.Compare(Run(m).Trace, Run(kernel).Trace).Divergences, x => x.Aspect == Aspects.Observation);
        Assert.Equal("ESTABLISHED timer=none expires=none recvq=0 sendq=0 orphan=no", d.Model);
        Assert.Equal("CLOSE_WAIT timer=none expires=none recvq=1 sendq=0 orphan=no", d.Kernel);
    }

    [Theory]
    [InlineData(1.9, 0, 1.994, false)]  // allowed = max(50 ms, 5% of 1.9 s) = 95 ms either way
    [InlineData(1.9, 0, 1.996, true)]
    [InlineData(1.9, 0, 1.806, false)]
    [InlineData(1.9, 0, 1.804, true)]
    [InlineData(0.2, 0, 0.249, false)]  // short timers: the scenario's 50 ms dominates
    [InlineData(0.2, 0, 0.251, true)]
    [InlineData(1.9, 0.3, 2.294, false)] // armed by a chain of timers that may have fired up to 0.3 s late
    [InlineData(1.9, 0.3, 2.296, true)]
    [InlineData(1.9, 0.3, 1.804, true)]  // lateness never excuses a kernel timer due earlier
    [InlineData(1.9, 0, null, true)]
    public void Expiry_is_compared_within_tolerance_and_the_lateness_the_model_carried(double model, double lateness, double? kernel, bool diverges)
    {
        var m = new TraceBuilder(Text).Observe(6, End(TcpState.FinWait2, TimerKind.Keepalive, model, lateness: lateness));
        var k = new TraceBuilder(Text, TargetKind.Kernel).Observe(6, End(TcpState.FinWait2, kernel is null ? TimerKind.None : TimerKind.Keepalive, kernel));
        Assert.Equal(diverges, TraceComparer.Compare(m.Trace, k.Trace).Divergences.Any(d => d.Aspect == Aspects.Observation));
    }

    [Fact]
    public void State_sequences_diverge_once_per_end_with_both_sequences()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(m, b => b.Add(new TransitionTraced(TraceBuilder.Seconds(2), "client", "C", TcpState.Established, TcpState.FinWait1, "close"))
            .Add(new TransitionTraced(TraceBuilder.Seconds(2.1), "client", "C", TcpState.FinWait1, TcpState.FinWait2, "ACK")));
        Run(k, b => b.Add(new TransitionTraced(TraceBuilder.Seconds(2), "client", "C", TcpState.Established, TcpState.FinWait1, "close"))
            .Add(new TransitionTraced(TraceBuilder.Seconds(2.2), "client", "C", TcpState.FinWait1, TcpState.Closing, "FIN")));
        Divergence d = Assert.Single(TraceComparer.Compare(m.Trace, k.Trace).Divergences);
        Assert.Equal(Aspects.States, d.Aspect);
        Assert.Equal("C: SYN_SENT → ESTABLISHED → FIN_WAIT1 → FIN_WAIT2", d.Model);
        Assert.Equal("C: SYN_SENT → ESTABLISHED → FIN_WAIT1 → CLOSING", d.Kernel);
        Assert.Equal(7, d.Line!.Where.Line);
        Assert.Equal(TraceBuilder.Seconds(2.1), d.At);
    }

    [Fact]
    public void Repeated_states_and_unnamed_ends_are_ignored()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(k, b => b.Add(new TransitionTraced(TraceBuilder.Seconds(0.5), "client", "C", TcpState.Established, TcpState.Established, "poll"))
            .Add(new TransitionTraced(TraceBuilder.Seconds(0.5), "server", "192.0.2.2:80>192.0.2.1:40000", TcpState.SynRecv, TcpState.Established, "ACK")));
        Assert.True(TraceComparer.Compare(Run(m).Trace, k.Trace).Agrees);
    }

    [Fact]
    public void Segments_diverge_at_the_first_difference_ignoring_the_window()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(m, b => b.Add(new SegmentTraced(TraceBuilder.Seconds(2), "client", "server", "C", TcpFlags.Fin | TcpFlags.Ack, 1, 1, 0, 100, false)));
        Run(k, b => b.Add(new SegmentTraced(TraceBuilder.Seconds(2), "client", "server", "C", TcpFlags.Fin | TcpFlags.Ack, 1, 1, 0, 9999, false))
            .Add(new SegmentTraced(TraceBuilder.Seconds(2.2), "client", "server", "C", TcpFlags.Fin | TcpFlags.Ack, 1, 1, 0, 9999, false)));
        Divergence d = Assert.Single(TraceComparer.Compare(m.Trace, k.Trace).Divergences);
        Assert.Equal(Aspects.Segments, d.Aspect);
        Assert.Equal("client→server #3: none (only 2 sent)", d.Model);
        Assert.Equal("client→server #3: [F.] seq=1 ack=1 len=0 at 2.200s (3 sent)", d.Kernel);
    }

    [Fact]
    public void Segments_with_different_sequence_numbers_diverge()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(m, b => b.Add(new SegmentTraced(TraceBuilder.Seconds(2), "server", "client", "S", TcpFlags.Ack, 1, 11, 0, 100, false)));
        Run(k, b => b.Add(new SegmentTraced(TraceBuilder.Seconds(2), "server", "client", "S", TcpFlags.Ack, 1, 10, 0, 100, false)));
        Divergence d = Assert.Single(TraceComparer.Compare(m.Trace, k.Trace).Divergences);
        Assert.Contains("server→client #2: [.] seq=1 ack=10", d.Kernel);
    }

    [Fact]
    public void A_teardown_counter_that_ends_differently_diverges_once_at_the_end()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(m);
        Run(k, b => b.Add(new CounterTraced(TraceBuilder.Seconds(0.5), "server", "TCPAbortOnClose", 1)));
        Comparison c = TraceComparer.Compare(m.Trace, k.Trace);
        Divergence d = Assert.Single(c.Divergences);
        Assert.Equal((null, "server TCPAbortOnClose = 0", "server TCPAbortOnClose = 1"), (d.Line, d.Model, d.Kernel));
        Assert.Equal(new AspectSummary(Aspects.Counter, 1, 1), c.Summary.Single(s => s.Aspect == Aspects.Counter));
    }

    [Fact]
    public void Traffic_counters_are_not_compared()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(m);
        Run(k, b => b.Add(new CounterTraced(TraceBuilder.Seconds(0.5), "server", "InSegs", 7)));
        Assert.Empty(TraceComparer.Compare(m.Trace, k.Trace).Divergences);
    }

    [Fact]
    public void Counter_difference_after_the_last_observation_is_reported_at_the_end()
    {
        (TraceBuilder m, TraceBuilder k) = Pair();
        Run(m);
        Run(k, b => b.Add(new CounterTraced(TraceBuilder.Seconds(5), "client", "TCPTimeouts", 2)));
        Divergence d = Assert.Single(TraceComparer.Compare(m.Trace, k.Trace).Divergences);
        Assert.Null(d.Line);
        Assert.Equal(TraceBuilder.Seconds(5), d.At);
    }

    [Fact]
    public void Divergences_are_ordered_by_time()
    {
        var m = new TraceBuilder(Text);
        Run(m);
        var kernel = new TraceBuilder(Text, TargetKind.Kernel).Call(7, CallOutcome.Fail(Errno.EINTR), 3).Call(4, CallOutcome.Fail(Errno.ETIMEDOUT));
        Run(kernel);
        Assert.Equal([4, 7], TraceComparer.Compare(m.Trace, kernel.Trace).Divergences.Select(d => d.Line!.Where.Line));
    }
}
