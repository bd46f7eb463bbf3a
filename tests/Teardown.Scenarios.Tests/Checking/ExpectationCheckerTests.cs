using Teardown.Model;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Tracing;
using static Teardown.Scenarios.Tests.TraceBuilder;

namespace Teardown.Scenarios.Tests.Checking;

public class ExpectationCheckerTests
{
    // Lines: 4 listen, 5 connect, 6 accept, then what each test appends from line 7 on.
    private const string Setup = "host client\nhost server\ntolerance 50ms 10%\n0 server listen L 80\n0 client connect C server:80 = 0\n0 server accept S L\n";

    private static Verdict Single(TraceBuilder b, int line) => Assert.Single(ExpectationChecker.Check(b.Trace), v => v.Line.Where.Line == line);

    [Fact]
    public void Result_that_matches_passes()
    {
        var b = new TraceBuilder(Setup).Call(5, CallOutcome.Ok());
        Verdict v = Single(b, 5);
        Assert.True(v.Passed);
        Assert.Equal(("= 0", "= 0"), (v.Expected, v.Observed));
    }

    [Fact]
    public void Result_with_a_different_errno_fails()
    {
        var b = new TraceBuilder(Setup + "1 client send C 1 = -1 EPIPE").Call(7, CallOutcome.Fail(Errno.ECONNRESET));
        Verdict v = Single(b, 7);
        Assert.False(v.Passed);
        Assert.Equal(("= -1 EPIPE", "= -1 ECONNRESET"), (v.Expected, v.Observed));
    }

    [Fact]
    public void Result_with_a_different_count_fails() =>
        Assert.False(Single(new TraceBuilder(Setup + "1 client send C 10 = 10").Call(7, CallOutcome.Ok(5)), 7).Passed);

    [Fact]
    public void Bare_errno_of_error_matches_the_pending_error()
    {
        var b = new TraceBuilder(Setup + "1 server error S = ECONNRESET").Call(7, new CallOutcome(0, Errno.ECONNRESET));
        Assert.True(Single(b, 7).Passed);
    }

    [Fact]
    public void Bare_errno_of_error_fails_on_another_errno_or_none()
    {
        Assert.False(Single(new TraceBuilder(Setup + "1 server error S = ECONNRESET").Call(7, new CallOutcome(0, Errno.EPIPE)), 7).Passed);
        Assert.False(Single(new TraceBuilder(Setup + "1 server error S = ECONNRESET").Call(7, CallOutcome.Ok()), 7).Passed);
    }

    [Fact]
    public void A_line_with_a_result_but_no_call_is_not_performed()
    {
        Verdict v = Single(new TraceBuilder(Setup), 5);
        Assert.False(v.Passed);
        Assert.Equal(ExpectationChecker.NotPerformed, v.Observed);
    }

    [Fact]
    public void Lines_without_result_or_expectation_yield_no_verdict() =>
        Assert.DoesNotContain(ExpectationChecker.Check(new TraceBuilder(Setup).Call(4, CallOutcome.Fail(Errno.EADDRINUSE)).Trace), v => v.Line.Where.Line == 4);

    [Theory]
    [InlineData(3.5, true)]
    [InlineData(3.8, true)] // allowed = max(50ms, 10% of 3s) = 300ms
    [InlineData(3.2, true)]
    [InlineData(3.81, false)]
    [InlineData(3.19, false)]
    public void Blocking_call_must_return_at_end_within_tolerance(double returned, bool passes)
    {
        var b = new TraceBuilder(Setup + "0.5...3.5 client close C").Call(7, CallOutcome.Ok(), returned);
        Verdict v = Single(b, 7);
        Assert.Equal(passes, v.Passed);
        Assert.Equal("returns at 3.500s ± 0.300s", v.Expected);
    }

    [Theory]
    [InlineData(1.05, true)]
    [InlineData(1.051, false)]
    public void Short_blocking_call_uses_the_absolute_tolerance(double returned, bool passes) =>
        Assert.Equal(passes, Single(new TraceBuilder(Setup + "1...1 client close C").Call(7, CallOutcome.Ok(), returned), 7).Passed);

    [Fact]
    public void Blocking_call_with_result_gets_two_verdicts()
    {
        var b = new TraceBuilder(Setup + "1...2 client close C = 0").Call(7, CallOutcome.Ok(), 2);
        Assert.Equal(2, ExpectationChecker.Check(b.Trace).Count(v => v.Line.Where.Line == 7 && v.Passed));
    }

    [Fact]
    public void Blocking_call_not_performed_fails() =>
        Assert.Equal(ExpectationChecker.NotPerformed, Single(new TraceBuilder(Setup + "1...2 client close C"), 7).Observed);

    [Fact]
    public void Expected_state_passes_and_reports_only_written_attributes()
    {
        var b = new TraceBuilder(Setup + "1 expect C FIN_WAIT2 orphan=no").Observe(7, End(TcpState.FinWait2, TimerKind.Keepalive, 3, orphan: false));
        Verdict v = Single(b, 7);
        Assert.True(v.Passed);
        Assert.Equal(("C FIN_WAIT2 orphan=no", "C FIN_WAIT2 orphan=no"), (v.Expected, v.Observed));
    }

    [Fact]
    public void Wrong_state_fails()
    {
        Verdict v = Single(new TraceBuilder(Setup + "1 expect C FIN_WAIT2").Observe(7, End(TcpState.TimeWait)), 7);
        Assert.False(v.Passed);
        Assert.Equal("C TIME_WAIT", v.Observed);
    }

    [Fact]
    public void Gone_passes_only_when_nothing_is_held()
    {
        Assert.True(Single(new TraceBuilder(Setup + "1 expect C GONE").Observe(7, EndObservation.Gone), 7).Passed);
        Assert.False(Single(new TraceBuilder(Setup + "1 expect C GONE").Observe(7, End(TcpState.Close)), 7).Passed);
        Assert.False(Single(new TraceBuilder(Setup + "1 expect C CLOSE").Observe(7, EndObservation.Gone), 7).Passed);
    }

    [Theory]
    [InlineData(TimerKind.Timewait, true)]
    [InlineData(TimerKind.Keepalive, false)]
    [InlineData(TimerKind.None, false)]
    public void Timer_kind_is_checked(TimerKind observed, bool passes) =>
        Assert.Equal(passes, Single(new TraceBuilder(Setup + "1 expect C FIN_WAIT2 timer=timewait").Observe(7, End(TcpState.FinWait2, observed, 1)), 7).Passed);

    [Theory]
    [InlineData(1.9, true)]
    [InlineData(1.71, true)] // allowed = max(50ms, 10% of 1.9s) = 190ms
    [InlineData(2.09, true)]
    [InlineData(1.70, false)]
    [InlineData(2.10, false)]
    public void Expires_is_checked_within_tolerance_of_the_expected_time(double observed, bool passes) =>
        Assert.Equal(passes, Single(new TraceBuilder(Setup + "1 expect C FIN_WAIT2 expires=1.9").Observe(7, End(TcpState.FinWait2, TimerKind.Keepalive, observed)), 7).Passed);

    [Fact]
    public void Expires_without_a_timer_fails()
    {
        Verdict v = Single(new TraceBuilder(Setup + "1 expect C FIN_WAIT2 expires=1").Observe(7, End(TcpState.FinWait2)), 7);
        Assert.False(v.Passed);
        Assert.Equal("C FIN_WAIT2 expires=none", v.Observed);
    }

    [Theory]
    [InlineData(1, 0, true)]
    [InlineData(2, 0, false)]
    public void Recv_queue_is_checked(long recvq, long sendq, bool passes) =>
        Assert.Equal(passes, Single(new TraceBuilder(Setup + "1 expect S CLOSE_WAIT recvq=1").Observe(7, End(TcpState.CloseWait, recvq: recvq, sendq: sendq)), 7).Passed);

    [Theory]
    [InlineData(5, true)]
    [InlineData(0, false)]
    public void Send_queue_is_checked(long sendq, bool passes) =>
        Assert.Equal(passes, Single(new TraceBuilder(Setup + "1 expect C ESTABLISHED sendq=5").Observe(7, End(TcpState.Established, sendq: sendq)), 7).Passed);

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Orphan_is_checked(bool orphan, bool passes) =>
        Assert.Equal(passes, Single(new TraceBuilder(Setup + "1 expect C FIN_WAIT1 orphan=yes").Observe(7, End(TcpState.FinWait1, orphan: orphan)), 7).Passed);

    [Fact]
    public void Unwritten_attributes_are_not_checked() =>
        Assert.True(Single(new TraceBuilder(Setup + "1 expect C FIN_WAIT1").Observe(7, End(TcpState.FinWait1, TimerKind.Retransmit, 0.2, 1, 2, true)), 7).Passed);

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, false)]
    public void Counter_value_is_checked(long observed, bool passes)
    {
        Verdict v = Single(new TraceBuilder(Setup + "1 expect server counter TCPAbortOnData 2").Observe(7, new CounterObservation(observed)), 7);
        Assert.Equal(passes, v.Passed);
        Assert.Equal("server counter TCPAbortOnData 2", v.Expected);
    }

    [Fact]
    public void Packet_flags_must_match_exactly_and_in_order()
    {
        const string line = "1 expect packets client->server S . F.";
        TcpFlags[] same = [TcpFlags.Syn, TcpFlags.Ack, TcpFlags.Fin | TcpFlags.Ack];
        Assert.True(Single(new TraceBuilder(Setup + line).Observe(7, new PacketsObservation(same)), 7).Passed);
        Assert.False(Single(new TraceBuilder(Setup + line).Observe(7, new PacketsObservation([.. same, TcpFlags.Ack])), 7).Passed);
        Verdict swapped = Single(new TraceBuilder(Setup + line).Observe(7, new PacketsObservation([TcpFlags.Syn, TcpFlags.Fin | TcpFlags.Ack, TcpFlags.Ack])), 7);
        Assert.False(swapped.Passed);
        Assert.Equal(("packets client->server S . F.", "packets client->server S F. ."), (swapped.Expected, swapped.Observed));
    }

    [Fact]
    public void Expecting_no_packets_passes_on_none() =>
        Assert.Equal("packets client->server (none)", Single(new TraceBuilder(Setup + "1 expect packets client->server").Observe(7, new PacketsObservation([])), 7).Observed);

    [Fact]
    public void Expectation_without_observation_fails()
    {
        Verdict v = Single(new TraceBuilder(Setup + "1 expect C CLOSE"), 7);
        Assert.False(v.Passed);
        Assert.Equal(ExpectationChecker.NotObserved, v.Observed);
    }

    [Fact]
    public void Observation_of_the_wrong_kind_fails() =>
        Assert.False(Single(new TraceBuilder(Setup + "1 expect C CLOSE").Observe(7, new CounterObservation(1)), 7).Passed);

    [Fact]
    public void Verdicts_follow_timeline_order()
    {
        var b = new TraceBuilder(Setup + "1 expect C CLOSE\n2 client close C = 0").Call(8, CallOutcome.Ok()).Observe(7, End(TcpState.Close)).Call(5, CallOutcome.Ok());
        Assert.Equal([5, 7, 8], ExpectationChecker.Check(b.Trace).Select(v => v.Line.Where.Line));
    }
}
