using System.IO.MemoryMappedFiles;
using Teardown.Linux.Interop;

namespace Teardown.Lab.Agent;

/// <summary>
/// When each line of a timeline ended, in memory the runner and every agent share (a file in /dev/shm that
/// each maps): slot <c>i</c> holds the CLOCK_MONOTONIC ns at which line <c>i</c> returned, 0 until then.
/// </summary>
/// <remarks>
/// Lines of one instant run in file order, as on the model's clock. A line that follows another host's line of
/// its instant used to be sent only once that line's reply had travelled back through the runner — agent,
/// reply reader, dispatcher, host worker, agent reader, agent call thread: five thread wake-ups, 0.6–3 ms on
/// the 2-core test VM, the lab's largest lateness. Now it is sent ahead and waits in its own agent, on the
/// board, for the slots of the lines before it (<see cref="Wait"/>): the agent that ran them marks their end
/// (<see cref="Mark"/>) before it even writes the reply.
/// </remarks>
public sealed unsafe class InstantBoard : IDisposable
{
    private const int SlotBytes = sizeof(long);
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private bool _disposed;

    private InstantBoard(string path, MemoryMappedFile file, int slots)
    {
        Path = path;
        Slots = slots;
        _file = file;
        _view = file.CreateViewAccessor(0, (long)slots * SlotBytes, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
    }

    /// <summary>The shared file (what a request names for the agent to open).</summary>
    public string Path { get; }

    /// <summary>How many slots the board has (slot numbers 0 … Slots − 1).</summary>
    public int Slots { get; }

    /// <summary>
    /// Creates a board of <paramref name="slots"/> empty slots in a new file under /dev/shm (the temporary directory
    /// where there is none). The creator deletes the file when done (<see cref="Dispose"/>); mappings outlive it.
    /// </summary>
    public static InstantBoard Create(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        string dir = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        string path = System.IO.Path.Combine(dir, $"teardown-board-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.CreateNew, null, (long)slots * SlotBytes, MemoryMappedFileAccess.ReadWrite);
        return new InstantBoard(path, file, slots) { Owner = true };
    }

    /// <summary>Maps an existing board (the agent's side).</summary>
    /// <exception cref="IOException">No such board, or not a whole number of slots.</exception>
    public static InstantBoard Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length < SlotBytes || length % SlotBytes != 0 || length / SlotBytes > int.MaxValue) throw new IOException($"{path} is not an instant board ({length} bytes)");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        return new InstantBoard(path, file, (int)(length / SlotBytes));
    }

    private bool Owner { get; init; }

    /// <summary>When the line of <paramref name="slot"/> ended, or 0 while it has not.</summary>
    public long Read(int slot) => Volatile.Read(ref *Slot(slot));

    /// <summary>
    /// Records that the line of <paramref name="slot"/> ended at <paramref name="ns"/>; the first mark stands (the
    /// agent marks a call's end, the runner marks every line, also those that never ran, when it learns of it).
    /// </summary>
    /// <returns>Whether this mark was the first.</returns>
    public bool Mark(int slot, long ns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ns, 1);
        return Interlocked.CompareExchange(ref *Slot(slot), ns, 0) == 0;
    }

    /// <summary>
    /// Waits until every slot in <paramref name="slots"/> is marked, or until <paramref name="deadlineNs"/>.
    /// For the first <paramref name="spinNs"/> it spins, yielding the core at every turn (a real-time caller must
    /// not keep the thread it waits for from running on a 2-core machine); after that it polls every 50 µs.
    /// </summary>
    /// <returns>Whether all were marked, and the instant the wait ended for the timeline: the latest mark, or the deadline.</returns>
    public (bool All, long AtNs) Wait(IReadOnlyList<int> slots, long deadlineNs, long spinNs)
    {
        ArgumentNullException.ThrowIfNull(slots);
        bool all = MonotonicSleep.SpinThenPoll(static w => w.Board.TryLatest(w.Slots, out _), (Board: this, Slots: slots), deadlineNs, spinNs);
        return all && TryLatest(slots, out long latest) ? (true, latest) : (false, deadlineNs);
    }

    /// <summary>The latest mark among <paramref name="slots"/> when all are marked (0 for none).</summary>
    public bool TryLatest(IReadOnlyList<int> slots, out long latest)
    {
        ArgumentNullException.ThrowIfNull(slots);
        latest = 0;
        foreach (int s in slots)
        {
            long v = Read(s);
            if (v == 0) return false;
            latest = Math.Max(latest, v);
        }

        return true;
    }

    private long* Slot(int slot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, Slots);
        return (long*)(_base + ((long)slot * SlotBytes));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        if (Owner)
        {
            try { File.Delete(Path); }
            catch (IOException) { }
        }
    }
}
