using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;

namespace Teardown.Server.Snapshots;

/// <summary>Where the server's snapshots come from: the host (<see cref="HostSnapshotSource"/>) or, in tests, anything else.</summary>
public interface ISnapshotSource
{
    /// <summary>One snapshot per network namespace read (at least one). Failures to see parts of the host are blind spots, not exceptions.</summary>
    IReadOnlyList<HostSnapshot> Take();
}

/// <summary>Snapshots of this host: our namespace, or every namespace with <c>--all-netns</c>.</summary>
/// <param name="request">What to read.</param>
/// <remarks>
/// A long-running source: each dump's split between detailed and bare states is chosen from the
/// socket mix of the snapshot before (<see cref="DetailPlan"/>), so a leak-heavy table is dumped in
/// one walk of the kernel's hash tables instead of two (the analysis reads the same fields either
/// way); and the dump's working table is kept from one snapshot to the next (<see cref="SocketTableScratch"/>).
/// </remarks>
public sealed class HostSnapshotSource(SnapshotRequest request) : ISnapshotSource
{
    private readonly SnapshotRequest _request = request with { Scratch = request.Scratch ?? new SocketTableScratch() };
    private TcpStateMask _nextDetail = request.DetailStates;

    /// <summary>The detail states the next snapshot will ask tcp_info for.</summary>
    public TcpStateMask NextDetailStates => _nextDetail;

    /// <inheritdoc/>
    public IReadOnlyList<HostSnapshot> Take()
    {
        var snapshots = NamespaceSnapshots.Take(_request with { DetailStates = _nextDetail });
        _nextDetail = DetailPlan.Choose(_request.DetailStates, snapshots.Select(s => s.Sockets));
        _request.Scratch!.Trim(snapshots.Max(s => s.Sockets.Length));
        return snapshots;
    }
}
