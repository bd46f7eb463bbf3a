using Teardown.Lab.Agent;
using Teardown.Lab.Wire;

namespace Teardown.Lab.Tests;

/// <summary>The board on which the lines of one instant wait for each other across processes (one file, two mappings here).</summary>
public sealed class InstantBoardTests : IDisposable
{
    private readonly InstantBoard _runner = InstantBoard.Create(8);
    private readonly InstantBoard _agent;

    public InstantBoardTests() => _agent = InstantBoard.Open(_runner.Path);

    [Fact]
    public void A_mark_made_through_one_mapping_is_seen_through_the_other()
    {
        Assert.Equal(8, _agent.Slots);
        Assert.Equal(0, _agent.Read(3));
        Assert.True(_runner.Mark(3, 1234));
        Assert.Equal(1234, _agent.Read(3));
    }

    [Fact]
    public void The_first_mark_stands()
    {
        Assert.True(_agent.Mark(2, 100));
        Assert.False(_runner.Mark(2, 999));
        Assert.Equal(100, _runner.Read(2));
    }

    [Fact]
    public void Waiting_ends_at_the_latest_mark_once_all_are_marked()
    {
        _runner.Mark(1, 10);
        _runner.Mark(4, 40);
        (bool all, long at) = _agent.Wait([1, 4], MonotonicClock.NowNs() + 1_000_000_000, 0);
        Assert.True(all);
        Assert.Equal(40, at);
    }

    [Fact]
    public void Waiting_wakes_when_another_thread_marks()
    {
        long deadline = MonotonicClock.NowNs() + 5_000_000_000;
        var marker = new Thread(() =>
        {
            Thread.Sleep(30);
            _runner.Mark(5, MonotonicClock.NowNs());
        });
        marker.Start();
        (bool all, long at) = _agent.Wait([5], deadline, spinNs: 1_000_000);
        marker.Join();
        Assert.True(all);
        Assert.Equal(_runner.Read(5), at);
        Assert.True(MonotonicClock.NowNs() < deadline);
    }

    [Fact]
    public void A_slot_never_marked_gives_up_at_the_deadline_and_says_so()
    {
        long deadline = MonotonicClock.NowNs() + 20_000_000;
        (bool all, long at) = _agent.Wait([6], deadline, spinNs: 100_000);
        Assert.False(all);
        Assert.Equal(deadline, at);
        Assert.True(MonotonicClock.NowNs() >= deadline);
    }

    [Fact]
    public void Slots_outside_the_board_and_empty_marks_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _agent.Read(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => _agent.Mark(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => _agent.Mark(1, 0));
    }

    [Fact]
    public void A_file_that_is_no_board_is_refused_and_the_creator_removes_its_file()
    {
        string odd = Path.Combine(Path.GetTempPath(), "teardown-not-a-board-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(odd, new byte[12]);
        try
        {
            Assert.Throws<IOException>(() => InstantBoard.Open(odd));
        }
        finally
        {
            File.Delete(odd);
        }

        string path;
        using (InstantBoard b = InstantBoard.Create(1)) path = b.Path;
        Assert.False(File.Exists(path));
    }

    public void Dispose()
    {
        _agent.Dispose();
        _runner.Dispose();
    }
}
