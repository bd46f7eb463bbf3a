using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Inventory;

/// <summary>The working table a long-running reader keeps between snapshots: reused, never handed out, bounded.</summary>
public sealed class SocketTableScratchTests
{
    private static SocketRecord Record(ulong cookie) => new() { Cookie = cookie, State = (byte)TcpState.Established };

    [Fact]
    public void The_table_is_reused_and_the_snapshot_is_an_exact_copy_of_its_own()
    {
        var scratch = new SocketTableScratch();
        var first = new SocketRecordBuffer(100, scratch);
        for (ulong i = 1; i <= 10; i++) first.Add(Record(i));
        var firstTable = first.ToImmutableArray();
        Assert.Equal(10, firstTable.Length);
        int kept = scratch.Capacity;
        Assert.True(kept >= 100);

        // The next snapshot fills the same table; the first snapshot's records must not change.
        var second = new SocketRecordBuffer(100, scratch);
        Assert.Equal(0, scratch.Capacity); // in use
        for (ulong i = 101; i <= 105; i++) second.Add(Record(i));
        var secondTable = second.ToImmutableArray();
        Assert.Equal(kept, scratch.Capacity);
        Assert.Equal([1UL, 2, 3, 4, 5, 6, 7, 8, 9, 10], firstTable.Select(r => r.Cookie));
        Assert.Equal([101UL, 102, 103, 104, 105], secondTable.Select(r => r.Cookie));
    }

    [Fact]
    public void A_full_table_is_still_copied_out_never_handed_out()
    {
        var scratch = new SocketTableScratch();
        var buffer = new SocketRecordBuffer(16, scratch);
        int capacity = buffer.Capacity;
        for (int i = 0; i < capacity; i++) buffer.Add(Record((ulong)i));
        var table = buffer.ToImmutableArray();

        var again = new SocketRecordBuffer(16, scratch);
        again.Add(Record(999));
        again.ToImmutableArray();
        Assert.Equal(0UL, table[0].Cookie);
    }

    [Fact]
    public void A_table_too_small_is_replaced_by_a_larger_one_with_room_to_spare()
    {
        var scratch = new SocketTableScratch();
        new SocketRecordBuffer(100, scratch).ToImmutableArray();
        new SocketRecordBuffer(1_000, scratch).ToImmutableArray();
        Assert.True(scratch.Capacity >= 1_000 + (1_000 / 8));
    }

    [Fact]
    public void A_table_that_grows_during_the_dump_is_the_one_kept()
    {
        var scratch = new SocketTableScratch();
        var buffer = new SocketRecordBuffer(16, scratch);
        for (int i = 0; i < 100; i++) buffer.Add(Record((ulong)i));
        var table = buffer.ToImmutableArray();
        Assert.Equal(100, table.Length);
        Assert.True(scratch.Capacity >= 100);
    }

    [Fact]
    public void The_largest_table_is_kept_and_trimmed_when_the_host_shrinks()
    {
        var scratch = new SocketTableScratch();
        // Two readers at once (two namespaces): each has its own table; the larger is kept.
        var big = new SocketRecordBuffer(10_000, scratch);
        var small = new SocketRecordBuffer(100, scratch);
        small.ToImmutableArray();
        big.ToImmutableArray();
        Assert.True(scratch.Capacity >= 10_000);

        scratch.Trim(5_000);
        Assert.True(scratch.Capacity >= 10_000);
        scratch.Trim(1_000);
        Assert.Equal(0, scratch.Capacity);
    }
}
