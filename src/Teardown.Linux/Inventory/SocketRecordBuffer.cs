using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>
/// A growable table of socket records sized up front from sockstat, so a dump of 10^5 sockets
/// fills one array instead of doubling a <see cref="List{T}"/> (≈ 2× the table in zeroed
/// allocations and copies), and is handed out as an <see cref="ImmutableArray{T}"/> without
/// zeroing. <see cref="SocketRecord"/> holds no references, so the arrays are allocated
/// uninitialized; only the first <see cref="Count"/> entries are ever read.
/// </summary>
internal sealed class SocketRecordBuffer
{
    private SocketRecord[] _items;
    private readonly SocketTableScratch? _scratch;

    internal SocketRecordBuffer(int capacity, SocketTableScratch? scratch = null)
    {
        _scratch = scratch;
        _items = scratch?.Rent(Math.Max(16, capacity)) ?? GC.AllocateUninitializedArray<SocketRecord>(Math.Max(16, capacity));
    }

    internal int Count { get; private set; }

    /// <summary>Records the table holds before it grows (the sockstat estimate it was made for).</summary>
    internal int Capacity => _items.Length;

    internal void Add(in SocketRecord record)
    {
        if (Count == _items.Length)
        {
            var larger = GC.AllocateUninitializedArray<SocketRecord>(checked(_items.Length * 2));
            _items.AsSpan().CopyTo(larger);
            _items = larger;
        }

        _items[Count++] = record;
    }

    internal void AddRange(List<SocketRecord> records)
    {
        foreach (var r in records)
        {
            Add(in r);
        }
    }

    /// <summary>Appends another buffer's records (one copy, growing once at most).</summary>
    internal void AddRange(SocketRecordBuffer other)
    {
        if (Count + other.Count > _items.Length)
        {
            var larger = GC.AllocateUninitializedArray<SocketRecord>(Count + other.Count);
            _items.AsSpan(0, Count).CopyTo(larger);
            _items = larger;
        }

        other._items.AsSpan(0, other.Count).CopyTo(_items.AsSpan(Count));
        Count += other.Count;
    }

    internal void Truncate(int count) => Count = Math.Min(Count, count);

    /// <summary>
    /// The records as an immutable array; the buffer must not be used afterwards. A table rented from a
    /// <see cref="SocketTableScratch"/> is copied out and given back, never handed out itself.
    /// </summary>
    internal ImmutableArray<SocketRecord> ToImmutableArray()
    {
        if (Count == _items.Length && _scratch is null)
        {
            return ImmutableCollectionsMarshal.AsImmutableArray(_items);
        }

        var exact = GC.AllocateUninitializedArray<SocketRecord>(Count);
        _items.AsSpan(0, Count).CopyTo(exact);
        _scratch?.Return(_items);
        return ImmutableCollectionsMarshal.AsImmutableArray(exact);
    }

    /// <summary>Sink adapter for <see cref="SockDiag.Dump{TSink}"/>.</summary>
    internal readonly struct Sink(SocketRecordBuffer buffer) : ISocketRecordSink
    {
        public void Add(in SocketRecord record) => buffer.Add(in record);
    }
}
