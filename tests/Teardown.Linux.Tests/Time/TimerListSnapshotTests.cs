using Teardown.Linux.Time;

namespace Teardown.Linux.Tests.Time;

public sealed class TimerListSnapshotTests
{
    private const string Sample = """
        Timer List Version: v0.10
        HRTIMER_MAX_CLOCK_BASES: 8
        now at 158037364007 nsecs

        cpu: 0
         clock 0:
          .base:       00000000c7e4a5d8
        active timers:
         #0: <000000009b9fe775>, tick_nohz_handler, S:01
         # expires at 158040000000-158040000000 nsecs [in 2635993 to 2635993 nsecs]
          .expires_next   : 158040000000 nsecs
          .last_tick      : 157536000000 nsecs
          .tick_stopped   : 0
          .last_jiffies   : 4294931757
        jiffies: 4294931759

        cpu: 1
          .last_tick      : 157928000000 nsecs
        jiffies: 4294931760
        """;

    [Fact]
    public void ReadsTheInstantTheFirstCpusJiffiesAndItsLastTick()
    {
        var s = TimerListSnapshot.Parse(Sample);

        Assert.Equal(new TimerListSnapshot(158037364007, 4294931759, 157536000000), s);
    }

    [Fact]
    public void AFileWithoutJiffiesGivesNothing()
    {
        Assert.Null(TimerListSnapshot.Parse("Timer List Version: v0.10\nnow at 1 nsecs\n"));
        Assert.Null(TimerListSnapshot.Parse(""));
    }
}
