using System.Collections.Immutable;
using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Inventory;

/// <summary>The server's choice between one walk with tcp_info for all and two walks (detail states only), from the previous table.</summary>
public sealed class DetailPlanTests
{
    private const TcpStateMask Teardown = TcpStateMask.CloseWait | TcpStateMask.FinWait1 | TcpStateMask.FinWait2 | TcpStateMask.LastAck | TcpStateMask.Closing;

    private static ImmutableArray<SocketRecord> Table(params (TcpState State, int Count)[] mix) =>
        [.. mix.SelectMany(m => Enumerable.Repeat(new SocketRecord { State = (byte)m.State }, m.Count))];

    [Fact]
    public void Without_a_previous_snapshot_the_wanted_states_are_asked()
    {
        Assert.Equal(Teardown, DetailPlan.Choose(Teardown, []));
        Assert.Equal(Teardown, DetailPlan.Choose(Teardown, [ImmutableArray<SocketRecord>.Empty]));
    }

    [Fact]
    public void A_leak_heavy_table_is_dumped_in_one_walk_with_tcp_info_for_all()
    {
        // The benchmark's shape: 126,000 teardown sockets, 14,000 ESTABLISHED, 15,000 TIME_WAIT.
        var table = Table((TcpState.CloseWait, 63_000), (TcpState.FinWait2, 63_000), (TcpState.Established, 14_000), (TcpState.TimeWait, 15_000), (TcpState.Listen, 44));

        Assert.Equal(TcpStateMask.All, DetailPlan.Choose(Teardown, [table]));
    }

    [Fact]
    public void A_mostly_established_table_keeps_the_split()
    {
        var table = Table((TcpState.Established, 90_000), (TcpState.CloseWait, 5_000), (TcpState.TimeWait, 5_000));

        Assert.Equal(Teardown, DetailPlan.Choose(Teardown, [table]));
    }

    [Fact]
    public void Sockets_that_never_carry_tcp_info_do_not_count_as_spared()
    {
        // TIME_WAIT and request sockets get no tcp_info whatever is asked (inet_twsk_diag_fill, inet_req_diag_fill):
        // a table of them plus a few ESTABLISHED gains nothing from a second walk.
        var table = Table((TcpState.TimeWait, 80_000), (TcpState.NewSynRecv, 10_000), (TcpState.Established, 10_000));

        Assert.Equal(TcpStateMask.All, DetailPlan.Choose(Teardown, [table]));
    }

    [Fact]
    public void Every_namespace_of_the_previous_snapshot_counts()
    {
        var leaky = Table((TcpState.CloseWait, 10_000));
        var busy = Table((TcpState.Established, 90_000));

        Assert.Equal(Teardown, DetailPlan.Choose(Teardown, [leaky, busy]));
        Assert.Equal(TcpStateMask.All, DetailPlan.Choose(Teardown, [leaky, Table((TcpState.Established, 1_000))]));
    }

    [Fact]
    public void Asking_for_every_state_is_left_alone()
    {
        Assert.Equal(TcpStateMask.All, DetailPlan.Choose(TcpStateMask.All, [Table((TcpState.Established, 1_000))]));
    }
}
