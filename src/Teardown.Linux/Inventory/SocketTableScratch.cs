using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>
/// The dump's working table, kept from one snapshot to the next by a caller that takes many (the
/// server), so the ~30 MB a 150,000-socket dump is parsed into is not allocated afresh every interval.
/// A fresh table costs more than its allocation: the server returns its garbage to the system after
/// each large snapshot (a compacting collection), so every new table is paged in again, one page
/// fault and one zeroed page per 4 KiB (measured: ~8 % of a snapshot's CPU, mostly
/// mm/memory.c:do_anonymous_page). The snapshot itself is always an exact-size copy, so a table
/// handed out is never written again.
/// </summary>
/// <remarks>
/// Safe under concurrent use: a reader takes the table (or, when none fits, allocates its own) and puts
/// its table back when done; a table is never shared. One table is kept, the largest returned (with
/// <c>--all-netns</c> a small namespace does not evict the host's); a table too small is let go rather
/// than kept beside its replacement, and <see cref="Trim"/> drops the kept one when the host has
/// shrunk, so the memory kept follows the host's size.
/// </remarks>
public sealed class SocketTableScratch
{
    private SocketRecord[]? _table;

    /// <summary>Records the kept table holds (0 when none is kept or it is in use).</summary>
    public int Capacity => Volatile.Read(ref _table)?.Length ?? 0;

    /// <summary>
    /// The kept table if it fits <paramref name="capacity"/>; else a new uninitialized one with an eighth
    /// more room (the socket count moves a little from one snapshot to the next, and a table that no
    /// longer fits would be replaced every time), the kept one being let go.
    /// </summary>
    internal SocketRecord[] Rent(int capacity)
    {
        var kept = Interlocked.Exchange(ref _table, null);
        return kept is not null && kept.Length >= capacity
            ? kept
            : GC.AllocateUninitializedArray<SocketRecord>(checked(capacity + (capacity / 8)));
    }

    /// <summary>Keeps <paramref name="table"/> for the next reader, unless a larger one is kept already.</summary>
    internal void Return(SocketRecord[] table)
    {
        var kept = Volatile.Read(ref _table);
        while (kept is null || kept.Length < table.Length)
        {
            var seen = Interlocked.CompareExchange(ref _table, table, kept);
            if (seen == kept) return;
            kept = seen;
        }
    }

    /// <summary>Drops the kept table when it is more than four times <paramref name="largestNeeded"/> (the largest table of the last snapshot).</summary>
    public void Trim(int largestNeeded)
    {
        var kept = Volatile.Read(ref _table);
        if (kept is not null && kept.Length / 4 > largestNeeded) Interlocked.CompareExchange(ref _table, null, kept);
    }
}
