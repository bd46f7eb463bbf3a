using Teardown.Linux.Inventory;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Inventory;

/// <summary>How a snapshot's states are spread over dumps: tcp_info only where it is read, a split only where it pays.</summary>
public sealed class DumpPartitionTests
{
    private const TcpStateMask Teardown = TcpStateMask.CloseWait | TcpStateMask.FinWait1 | TcpStateMask.FinWait2 | TcpStateMask.LastAck | TcpStateMask.Closing;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Detail_for_some_states_means_one_detailed_dump_and_one_bare_dump_of_the_rest(bool large)
    {
        var options = new InventoryOptions { Extensions = DiagExtensions.TcpInfo, DetailStates = Teardown };

        var (first, firstExtensions, second, secondExtensions) = InventoryReader.Partition(options, large);

        Assert.Equal((Teardown, DiagExtensions.TcpInfo), (first, firstExtensions));
        Assert.Equal((TcpStateMask.All & ~Teardown, DiagExtensions.None), (second, secondExtensions));
    }

    [Fact]
    public void A_small_table_with_detail_everywhere_is_one_dump()
    {
        var (first, extensions, second, _) = InventoryReader.Partition(new InventoryOptions { Extensions = DiagExtensions.TcpInfo }, large: false);

        Assert.Equal((TcpStateMask.All, DiagExtensions.TcpInfo, TcpStateMask.None), (first, extensions, second));
    }

    [Fact]
    public void A_large_table_with_detail_everywhere_splits_the_passive_close_states_off_both_detailed()
    {
        var (first, firstExtensions, second, secondExtensions) = InventoryReader.Partition(new InventoryOptions { Extensions = DiagExtensions.TcpInfo }, large: true);

        Assert.Equal(TcpStateMask.All & ~InventoryReader.SecondDumpStates, first);
        Assert.Equal(InventoryReader.SecondDumpStates, second);
        Assert.Equal((DiagExtensions.TcpInfo, DiagExtensions.TcpInfo), (firstExtensions, secondExtensions));
    }

    [Fact]
    public void Detail_for_states_not_dumped_at_all_asks_for_no_extensions()
    {
        var options = new InventoryOptions { Extensions = DiagExtensions.TcpInfo, States = TcpStateMask.Established | TcpStateMask.TimeWait, DetailStates = Teardown };

        var (first, extensions, second, _) = InventoryReader.Partition(options, large: false);

        Assert.Equal((TcpStateMask.Established | TcpStateMask.TimeWait, DiagExtensions.None, TcpStateMask.None), (first, extensions, second));
    }
}
