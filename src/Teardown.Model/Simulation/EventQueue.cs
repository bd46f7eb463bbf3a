namespace Teardown.Model.Simulation;

/// <summary>What a scheduled event does when its time comes.</summary>
internal enum EventKind : byte
{
    /// <summary>A segment reaches the host at <see cref="ScheduledEvent.Target"/>.</summary>
    SegmentArrival,

    /// <summary>A timer slot of a full socket or a timewait socket comes due (see Simulator.Step).</summary>
    Timer,
}

/// <summary>The payload of one queued event.</summary>
internal struct ScheduledEvent
{
    public long Time;
    public EventKind Kind;
    public byte Slot;
    public int Generation;
    public object Target;
    public Segment Segment;

    /// <summary>For a segment: how late the kernel may be sending it (Simulator.Lateness), in microseconds.</summary>
    public long Lateness;
}

/// <summary>
/// The model's event queue, ordered by (time, insertion sequence): events due at the same instant run in the
/// order they were scheduled, so a run is fully deterministic (gVisor's same-instant map order is the
/// nondeterminism this avoids, style-anchors.md §2).
/// Most events are scheduled a fixed delay ahead — a link's delay, TIME_WAIT's 60 s, an RTO — and the clock
/// never goes back, so the events of one delay arrive already sorted. Each recurring delay gets a FIFO
/// <em>lane</em>; only the rest go to a binary heap. Popping takes the least (time, sequence) among the lane
/// heads and the heap top, which is exactly the order a single heap would give, at a fraction of the cost
/// when tens of thousands of TIME_WAIT timers are pending.
/// </summary>
internal sealed class EventQueue
{
    private const int MaxLanes = 16;
    private readonly Lane[] _lanes = new Lane[MaxLanes];
    private int _laneCount;
    private Key[] _heap = new Key[256];
    private ScheduledEvent[] _payloads = new ScheduledEvent[256];
    private int[] _free = new int[256];
    private int _freeCount;
    private int _payloadHighWater;
    private int _heapCount;
    private int _count;
    private long _nextSequence;

    // The source of the next event (-1 = heap), valid while _nextKnown; Push and Pop invalidate it.
    private int _next;
    private bool _nextKnown;

    public int Count => _count;

    public long PeekTime
    {
        get
        {
            if (_count == 0) return long.MaxValue;
            int next = Next();
            return next >= 0 ? _lanes[next].HeadTime : _heap[0].Time;
        }
    }

    /// <summary>Whether the next event is a timer due at <paramref name="time"/> (one more of the same tick).</summary>
    public bool NextIsTimerAt(long time)
    {
        if (_count == 0) return false;
        int next = Next();
        return next >= 0
            ? _lanes[next].HeadTime == time && _lanes[next].HeadKind == EventKind.Timer
            : _heap[0].Time == time && _payloads[_heap[0].Payload].Kind == EventKind.Timer;
    }

    /// <summary>Queues an event due <paramref name="delay"/> after the present (its time is e.Time).</summary>
    public void Push(in ScheduledEvent e, long delay)
    {
        long sequence = _nextSequence++;
        _count++;
        _nextKnown = false;
        Lane? lane = LaneFor(delay, e.Time);
        if (lane is not null)
        {
            lane.Enqueue(in e, sequence);
            return;
        }

        int slot = AllocatePayload();
        _payloads[slot] = e;
        var key = new Key(e.Time, sequence, slot);
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        int i = _heapCount++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!key.Before(in _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = key;
    }

    /// <summary>Removes the next event into <paramref name="e"/> (an out parameter: no extra copy of the segment).</summary>
    public void Pop(out ScheduledEvent e)
    {
        int next = Next();
        _nextKnown = false;
        _count--;
        if (next >= 0) _lanes[next].Dequeue(out e);
        else PopHeap(out e);
    }

    /// <summary>The least (time, sequence) among the heap top and every lane head: a lane index, or -1 for the heap.</summary>
    private int Next()
    {
        if (_nextKnown) return _next;
        int bestLane = -1;
        long bestTime = _heapCount > 0 ? _heap[0].Time : long.MaxValue;
        long bestSequence = _heapCount > 0 ? _heap[0].Sequence : long.MaxValue;
        for (int i = 0; i < _laneCount; i++)
        {
            Lane lane = _lanes[i];
            if (lane.Count == 0) continue;
            if (lane.HeadTime < bestTime || (lane.HeadTime == bestTime && lane.HeadSequence < bestSequence))
            {
                bestLane = i;
                bestTime = lane.HeadTime;
                bestSequence = lane.HeadSequence;
            }
        }

        _next = bestLane;
        _nextKnown = true;
        return bestLane;
    }

    private Lane? LaneFor(long delay, long time)
    {
        Lane? idle = null;
        for (int i = 0; i < _laneCount; i++)
        {
            Lane lane = _lanes[i];
            if (lane.Delay == delay) return lane.Count == 0 || lane.TailTime <= time ? lane : null;
            if (lane.Count == 0) idle ??= lane;
        }

        if (idle is not null)
        {
            // Lanes are claimed by the delays in use now: an idle lane is given to a new delay.
            idle.Delay = delay;
            return idle;
        }

        if (_laneCount == MaxLanes) return null;
        var created = new Lane(delay);
        _lanes[_laneCount++] = created;
        return created;
    }

    private void PopHeap(out ScheduledEvent e)
    {
        Key top = _heap[0];
        Key last = _heap[--_heapCount];
        if (_heapCount > 0)
        {
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= _heapCount) break;
                if (child + 1 < _heapCount && _heap[child + 1].Before(in _heap[child])) child++;
                if (!_heap[child].Before(in last)) break;
                _heap[i] = _heap[child];
                i = child;
            }

            _heap[i] = last;
        }

        e = _payloads[top.Payload];
        _payloads[top.Payload] = default;
        if (_freeCount == _free.Length) Array.Resize(ref _free, _free.Length * 2);
        _free[_freeCount++] = top.Payload;
    }

    private int AllocatePayload()
    {
        if (_freeCount > 0) return _free[--_freeCount];
        if (_payloadHighWater == _payloads.Length) Array.Resize(ref _payloads, _payloads.Length * 2);
        return _payloadHighWater++;
    }

    private readonly struct Key(long time, long sequence, int payload)
    {
        public readonly long Time = time;
        public readonly long Sequence = sequence;
        public readonly int Payload = payload;

        public bool Before(in Key other) => Time < other.Time || (Time == other.Time && Sequence < other.Sequence);
    }

    /// <summary>A FIFO of events scheduled with one fixed delay: already in (time, sequence) order.</summary>
    private sealed class Lane(long delay)
    {
        private ScheduledEvent[] _events = new ScheduledEvent[64];
        private long[] _sequences = new long[64];
        private int _head;
        private int _count;

        public long Delay { get; set; } = delay;

        public int Count => _count;

        public long HeadTime => _events[_head].Time;

        public long HeadSequence => _sequences[_head];

        public EventKind HeadKind => _events[_head].Kind;

        public long TailTime => _events[(_head + _count - 1) & (_events.Length - 1)].Time;

        public void Enqueue(in ScheduledEvent e, long sequence)
        {
            if (_count == _events.Length) Grow();
            int at = (_head + _count) & (_events.Length - 1);
            _events[at] = e;
            _sequences[at] = sequence;
            _count++;
        }

        public void Dequeue(out ScheduledEvent e)
        {
            e = _events[_head];
            _events[_head].Target = null!;   // drop the reference; the rest is overwritten on reuse
            _head = (_head + 1) & (_events.Length - 1);
            _count--;
        }

        private void Grow()
        {
            var events = new ScheduledEvent[_events.Length * 2];
            var sequences = new long[_events.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                int from = (_head + i) & (_events.Length - 1);
                events[i] = _events[from];
                sequences[i] = _sequences[from];
            }

            _events = events;
            _sequences = sequences;
            _head = 0;
        }
    }
}
