using Teardown.Model.Rules;

namespace Teardown.Model.Tests.Rules;

/// <summary>The one statement of the timer rules that the model's timers and the doctor's ReapRules share.</summary>
public sealed class TcpTimeoutsTests
{
    [Theory]
    // tcp_timer.c:tcp_orphan_retries: (sysctl, alive, soft error) → retries
    [InlineData(0, true, false, 8)]
    [InlineData(0, true, true, 8)]
    [InlineData(0, false, false, 0)]
    [InlineData(0, false, true, 0)]
    [InlineData(12, true, true, 12)]
    [InlineData(12, false, false, 12)]
    [InlineData(12, false, true, 0)]
    public void OrphanRetries_ZeroMeansEightOnlyWhileAlive_AndASoftErrorEndsADeadOrphan(int sysctl, bool alive, bool softError, int retries)
    {
        Assert.Equal(retries, TcpTimeouts.OrphanRetries(sysctl, alive, softError));
        Assert.Equal(retries, ReapRules.OrphanRetries(sysctl, alive, softError));
    }

    [Fact]
    public void OrphanAlive_WhileTheRtoIsBelowRtoMax()
    {
        Assert.True(TcpTimeouts.OrphanAlive(TcpTimeouts.RtoMaxUs - 1));
        Assert.False(TcpTimeouts.OrphanAlive(TcpTimeouts.RtoMaxUs));
        Assert.False(ReapRules.OrphanAlive(ReapRules.RtoMax));
    }

    [Theory]
    [InlineData(61, 1)]
    [InlineData(120, 60)]
    [InlineData(60, 0)]
    [InlineData(3, 0)]
    public void BeyondTimewaitLen_IsTheKeepaliveStage(int finTimeSeconds, int beyondSeconds) =>
        Assert.Equal(SimDuration.FromSeconds(beyondSeconds), TcpTimeouts.BeyondTimewaitLen(SimDuration.FromSeconds(finTimeSeconds)));

    [Fact]
    public void TimewaitTimeout_IsSixtySecondsInTimeWait_ElseFlooredAtThreePointFiveRto()
    {
        // rto 3.264 s = 816 jiffies at HZ=250: F = 4·816 − 408 = 2856 jiffies = 11.424 s.
        Assert.Equal(SimDuration.FromSeconds(60), TcpTimeouts.TimewaitTimeout(SimDuration.FromSeconds(1), true, 3_264_000, 4000));
        Assert.Equal(SimDuration.FromSeconds(11.424), TcpTimeouts.TimewaitTimeout(SimDuration.FromSeconds(1), false, 3_264_000, 4000));
        Assert.Equal(SimDuration.FromSeconds(30), TcpTimeouts.TimewaitTimeout(SimDuration.FromSeconds(30), false, 3_264_000, 4000));
    }
}
