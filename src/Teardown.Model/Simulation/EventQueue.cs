namespace Teardown.Model.Simulation;

/// <summary>What a scheduled event does when its time comes.</summary>
internal enum EventKind : byte
{
    /// <summary>A segment reaches the host at <see cref="ScheduledEvent.Target"/>.</summary>
    SegmentArrival,

    /// <summary>A timer slot of a full socket or a timewait socket fires (if its generation still matches).</summary>
    Timer,
}

/// <summary>
/// One entry of the event queue. Timers are cancelled lazily: a firing whose generation no longer
/// matches the slot's is ignored, which keeps arming and cancelling O(log n) and allocation-free.
/// </summary>
internal struct ScheduledEvent
{
    public long Time;
    public long Sequence;
    public EventKind Kind;
    public byte Slot;
    public int Generation;
    public object Target;
    public Segment Segment;
}

/// <summary>
/// A binary min-heap ordered by (time, insertion sequence): events due at the same instant run in the
/// order they were scheduled, so a run is fully deterministic (gVisor's same-instant map order is the
/// nondeterminism this avoids, style-anchors.md §2).
/// </summary>
internal sealed class EventQueue
{
    private ScheduledEvent[] _heap = new ScheduledEvent[64];
    private int _count;
    private long _nextSequence;

    public int Count => _count;

    public long PeekTime => _count == 0 ? long.MaxValue : _heap[0].Time;

    public void Push(ScheduledEvent e)
    {
        e.Sequence = _nextSequence++;
        if (_count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Less(in e, in _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = e;
    }

    public ScheduledEvent Pop()
    {
        ScheduledEvent top = _heap[0];
        ScheduledEvent last = _heap[--_count];
        _heap[_count] = default;
        if (_count > 0)
        {
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= _count) break;
                if (child + 1 < _count && Less(in _heap[child + 1], in _heap[child])) child++;
                if (!Less(in _heap[child], in last)) break;
                _heap[i] = _heap[child];
                i = child;
            }

            _heap[i] = last;
        }

        return top;
    }

    public void Clear()
    {
        Array.Clear(_heap, 0, _count);
        _count = 0;
    }

    private static bool Less(in ScheduledEvent a, in ScheduledEvent b) =>
        a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);
}
