using System.Collections.Immutable;
using Teardown.Doctor.Classification;

namespace Teardown.Server.Snapshots;

/// <summary>Counts of one snapshot, kept for the page's charts.</summary>
/// <param name="At">When.</param>
/// <param name="States">Sockets per kernel state (index = state number).</param>
/// <param name="Classes">Non-listening sockets per class.</param>
public sealed record HistoryPoint(DateTimeOffset At, ImmutableArray<int> States, ImmutableDictionary<SocketClass, int> Classes);

/// <summary>
/// A bounded ring of <see cref="HistoryPoint"/>s: counts only (a few hundred bytes each), at most
/// <see cref="Capacity"/> of them, so memory stays flat however long the server runs.
/// </summary>
public sealed class SnapshotHistory(int capacity = SnapshotHistory.DefaultCapacity)
{
    /// <summary>An hour at 5 s, two hours at the default 15 s.</summary>
    public const int DefaultCapacity = 720;

    private readonly Queue<HistoryPoint> _points = new();
    private readonly Lock _lock = new();

    /// <summary>Most points kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Adds a point, dropping the oldest beyond <see cref="Capacity"/>.</summary>
    public void Add(HistoryPoint point)
    {
        lock (_lock)
        {
            _points.Enqueue(point);
            while (_points.Count > Capacity) _points.Dequeue();
        }
    }

    /// <summary>The points, oldest first.</summary>
    public IReadOnlyList<HistoryPoint> Points()
    {
        lock (_lock)
        {
            return [.. _points];
        }
    }
}
