using Teardown.Model.Rules;

namespace Teardown.Doctor.Tests;

public class ReapRulesTests
{
    [Theory]
    // Spec §4.2 table: T → total; rows 3 and 65 were measured on 6.18.
    [InlineData(3, 3, FinWait2Path.Timewait)]
    [InlineData(60, 60, FinWait2Path.Timewait)]
    [InlineData(65, 10, FinWait2Path.KeepaliveThenTimewait)]
    [InlineData(90, 60, FinWait2Path.KeepaliveThenTimewait)]
    [InlineData(120, 120, FinWait2Path.KeepaliveThenTimewait)]
    [InlineData(300, 480, FinWait2Path.KeepaliveThenTimewait)]
    public void OrphanFinWait2_TotalFollowsTwoXMinus120AboveSixty(int finTimeout, int totalSeconds, FinWait2Path path)
    {
        var life = ReapRules.OrphanFinWait2(0, finTimeout, TimeSpan.FromMilliseconds(204));
        Assert.Equal(path, life.Path);
        Assert.Equal(TimeSpan.FromSeconds(totalSeconds), life.Total);
    }

    [Fact]
    public void Linger2_OverridesSysctl_AndNegativeResets()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), ReapRules.OrphanFinWait2(5, 60, TimeSpan.FromMilliseconds(204)).Total);
        Assert.Equal(FinWait2Path.Reset, ReapRules.OrphanFinWait2(-1, 60, TimeSpan.FromMilliseconds(204)).Path);
    }

    [Fact]
    public void RtoFloor_IsFourRtoMinusHalf_InJiffies_AndCanDecide()
    {
        // 51.2 s backed-off RTO: F = 179.2 s at HZ=250 (spec §1.4 example).
        Assert.Equal(TimeSpan.FromSeconds(179.2), ReapRules.RtoFloor(TimeSpan.FromSeconds(51.2)));
        var life = ReapRules.OrphanFinWait2(0, 3, TimeSpan.FromSeconds(2));
        Assert.True(life.RtoFloorApplied);
        Assert.Equal(TimeSpan.FromSeconds(7), life.Total);
    }

    [Theory]
    [InlineData(3, 3.0)]
    [InlineData(8, 102.2)]
    [InlineData(15, 924.6)]
    public void RetransmitGiveUp_MatchesTcpModelTimeout(int boundary, double seconds) =>
        Assert.Equal(seconds, ReapRules.RetransmitGiveUp(boundary).TotalSeconds, 3);

    [Fact]
    public void OrphanRetries_ZeroMeansEight() => Assert.Equal(8, ReapRules.OrphanRetries(0));
}
