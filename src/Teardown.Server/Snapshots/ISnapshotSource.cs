using Teardown.Linux.Inventory;

namespace Teardown.Server.Snapshots;

/// <summary>Where the server's snapshots come from: the host (<see cref="HostSnapshotSource"/>) or, in tests, anything else.</summary>
public interface ISnapshotSource
{
    /// <summary>One snapshot per network namespace read (at least one). Failures to see parts of the host are blind spots, not exceptions.</summary>
    IReadOnlyList<HostSnapshot> Take();
}

/// <summary>Snapshots of this host: our namespace, or every namespace with <c>--all-netns</c>.</summary>
/// <param name="request">What to read.</param>
public sealed class HostSnapshotSource(SnapshotRequest request) : ISnapshotSource
{
    /// <inheritdoc/>
    public IReadOnlyList<HostSnapshot> Take() => NamespaceSnapshots.Take(request);
}
