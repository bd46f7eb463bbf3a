using System.Collections.Immutable;

namespace Teardown.Linux.Ledger;

/// <summary>
/// Sockets acted on, counted by action and outcome: the ledger's lines summed. Immutable; a
/// <see cref="LedgerFollower"/> hands out a new one after each read.
/// </summary>
public sealed record LedgerTotals
{
    private const int Outcomes = 4;

    private readonly ImmutableArray<long> _counts;

    private LedgerTotals(ImmutableArray<long> counts, long unreadable)
    {
        _counts = counts;
        Unreadable = unreadable;
    }

    /// <summary>Nothing counted.</summary>
    public static LedgerTotals Empty { get; } = new(ImmutableArray.Create(new long[2 * Outcomes]), 0);

    /// <summary>Ledger lines that could not be parsed (skipped).</summary>
    public long Unreadable { get; }

    /// <summary>Every (action, outcome) pair, in a fixed order: release then kill, each released, killed, skipped, refused.</summary>
    public static IReadOnlyList<(LedgerAction Action, LedgerOutcome Outcome)> Pairs { get; } =
        [.. from a in Enum.GetValues<LedgerAction>() from o in Enum.GetValues<LedgerOutcome>() select (a, o)];

    /// <summary>Sockets with this action and outcome.</summary>
    public long Count(LedgerAction action, LedgerOutcome outcome) => _counts[Index(action, outcome)];

    /// <summary>Sockets released (release whose outcome was <see cref="LedgerOutcome.Released"/>).</summary>
    public long Released => Count(LedgerAction.Release, LedgerOutcome.Released);

    /// <summary>Sockets killed (kill whose outcome was <see cref="LedgerOutcome.Killed"/>).</summary>
    public long Killed => Count(LedgerAction.Kill, LedgerOutcome.Killed);

    /// <summary>Every line counted, whatever its outcome.</summary>
    public long Total => _counts.Sum();

    /// <summary>These totals plus <paramref name="entries"/> and <paramref name="unreadable"/> more unreadable lines.</summary>
    public LedgerTotals Add(IEnumerable<LedgerEntry> entries, long unreadable = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var counts = _counts.ToBuilder();
        foreach (var e in entries)
        {
            counts[Index(e.Action, e.Outcome)]++;
        }

        return new LedgerTotals(counts.ToImmutable(), Unreadable + unreadable);
    }

    /// <summary>What was counted since <paramref name="earlier"/> (these totals minus those), never below 0.</summary>
    public LedgerTotals Since(LedgerTotals earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var counts = new long[_counts.Length];
        for (int i = 0; i < counts.Length; i++) counts[i] = Math.Max(0, _counts[i] - earlier._counts[i]);
        return new LedgerTotals([.. counts], Math.Max(0, Unreadable - earlier.Unreadable));
    }

    /// <inheritdoc/>
    public bool Equals(LedgerTotals? other) => other is not null && Unreadable == other.Unreadable && _counts.SequenceEqual(other._counts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Unreadable, Total);

    private static int Index(LedgerAction action, LedgerOutcome outcome) => ((int)action * Outcomes) + (int)outcome;
}
