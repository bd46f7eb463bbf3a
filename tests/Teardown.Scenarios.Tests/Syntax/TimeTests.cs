using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

public class TimeTests
{
    private static IReadOnlyList<TimedLine> Timeline(string lines) =>
        ParseAssert.Parses("host a\nhost b\n0 b listen L 1\n" + lines).Timeline.Skip(1).ToArray();

    [Theory]
    [InlineData("3", 3_000_000)]
    [InlineData("0.2", 200_000)]
    [InlineData("200ms", 200_000)]
    [InlineData("10us", 10)]
    [InlineData("1.5s", 1_500_000)]
    [InlineData("2MS", 2_000)]
    [InlineData("0.0005", 500)]
    public void Durations_default_to_seconds_and_accept_units(string time, long microseconds) =>
        Assert.Equal(TimeSpan.FromMicroseconds(microseconds), Timeline($"{time} a kill")[0].At);

    [Fact]
    public void Relative_time_adds_to_previous_line()
    {
        IReadOnlyList<TimedLine> t = Timeline("1 a kill\n+0.5 a kill\n+200ms a kill\n+0 a kill");
        Assert.Equal([1.0, 1.5, 1.7, 1.7], t.Select(l => Math.Round(l.At.TotalSeconds, 6)));
    }

    [Fact]
    public void Blocking_call_has_start_and_end()
    {
        TimedLine line = Timeline("0.5...3.5 a connect C b:1")[0];
        Assert.Equal(TimeSpan.FromSeconds(0.5), line.At);
        Assert.Equal(TimeSpan.FromSeconds(3.5), line.ReturnsAt);
    }

    [Fact]
    public void Blocking_end_may_be_relative_to_its_start()
    {
        TimedLine line = Timeline("1 a kill\n+1...+2 a connect C b:1")[1];
        Assert.Equal(TimeSpan.FromSeconds(2), line.At);
        Assert.Equal(TimeSpan.FromSeconds(4), line.ReturnsAt);
    }

    [Fact]
    public void Relative_time_after_a_blocking_call_counts_from_its_start()
    {
        IReadOnlyList<TimedLine> t = Timeline("1...3 a connect C b:1\n+0.5 expect C SYN_SENT");
        Assert.Equal(TimeSpan.FromSeconds(1.5), t[1].At);
    }

    [Fact]
    public void Equal_start_and_end_is_a_blocking_call_that_returns_at_once() =>
        Assert.Equal(TimeSpan.FromSeconds(2), Timeline("2...2 a connect C b:1")[0].ReturnsAt);

    [Fact]
    public void Plain_lines_have_no_return_time() => Assert.Null(Timeline("2 a connect C b:1")[0].ReturnsAt);
}
