namespace Teardown.Linux.Ledger;

/// <summary>
/// Follows the action ledger across snapshots: each <see cref="Poll"/> reads only the lines appended
/// since the last one and adds them to <see cref="Totals"/>, which therefore never go down while the
/// follower lives. The first poll reads the whole file (the ledger lives on tmpfs: since boot), so a
/// restarted <c>serve</c> starts again from the same totals instead of from 0. A ledger that was
/// replaced (rotated, truncated, rewritten: its first line changed or it became shorter than what
/// was read) is read again from its first line and added on top.
/// It also keeps the entries whose descriptor the application may still hold (released or killed
/// with a pid and fd): <see cref="HeldCandidates"/>, until <see cref="Forget"/> drops those found closed.
/// Not thread-safe: one snapshot loop owns it.
/// </summary>
public sealed class LedgerFollower(string path)
{
    private const int HeadBytes = 512;
    private long _offset;
    private byte[]? _head;
    private readonly List<LedgerEntry> _candidates = [];

    /// <summary>The ledger file followed.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    /// <summary>Every line read so far, counted by action and outcome.</summary>
    public LedgerTotals Totals { get; private set; } = LedgerTotals.Empty;

    /// <summary>How many times the ledger was found replaced and read again from its start.</summary>
    public int Restarts { get; private set; }

    /// <summary>Why the last poll could not read the ledger, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>Released or killed sockets with an owner pid and fd, not yet found closed, oldest first.</summary>
    public IReadOnlyList<LedgerEntry> HeldCandidates => _candidates;

    /// <summary>Reads what was appended since the last poll; returns the new entries.</summary>
    public IReadOnlyList<LedgerEntry> Poll()
    {
        byte[]? head = Head(Path);
        long from = _offset;
        // A first line read whole is the file's identity: another first line (or none) is another file.
        if (_head is [.., (byte)'\n'] && (head is null || !head.AsSpan().SequenceEqual(_head)))
        {
            from = 0;
        }

        var read = ActionLedger.Read(Path, from);
        LastError = read.Error;
        if (read.Error is not null) return [];
        if (from < _offset || read.NextOffset < from)
        {
            Restarts++;
        }

        _offset = read.NextOffset;
        _head = head;
        Totals = Totals.Add(read.Entries, read.Unreadable);
        foreach (var e in read.Entries)
        {
            if (IsHeldCandidate(e)) _candidates.Add(e);
        }

        return read.Entries;
    }

    /// <summary>Drops candidates found no longer held (their descriptor closed: it cannot come back).</summary>
    public void Forget(IEnumerable<LedgerEntry> closed)
    {
        ArgumentNullException.ThrowIfNull(closed);
        var gone = new HashSet<LedgerEntry>(closed, ReferenceEqualityComparer.Instance);
        if (gone.Count > 0) _candidates.RemoveAll(gone.Contains);
    }

    /// <summary>
    /// True for an entry whose socket may still sit in the application's descriptor table: a release
    /// (the descriptor always stays open) or a kill of a socket a process held.
    /// </summary>
    public static bool IsHeldCandidate(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Outcome is LedgerOutcome.Released or LedgerOutcome.Killed && entry.Pid is > 0 && entry.Fd is >= 0 && entry.Inode != 0;
    }

    // The file's first bytes up to the end of its first line (at most HeadBytes): its identity.
    private static byte[]? Head(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[HeadBytes];
            int n = stream.ReadAtLeast(buffer, HeadBytes, throwOnEndOfStream: false);
            int newline = Array.IndexOf(buffer, (byte)'\n', 0, n);
            return buffer[..(newline >= 0 ? newline + 1 : n)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
