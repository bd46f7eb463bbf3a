using System.Text.RegularExpressions;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>Whether a candidate still shows what is being shrunk (a divergence); false for anything else, invalid drafts included.</summary>
public delegate Task<bool> ShrinkPredicate(ScenarioDraft candidate, CancellationToken cancellationToken);

/// <summary>How a shrink went: the smallest draft found and how many candidates were tried.</summary>
public sealed record ShrinkResult(ScenarioDraft Draft, int Tried, int Kept, bool BudgetSpent);

/// <summary>
/// Makes a failing draft small while it keeps failing (greedy delta debugging): it cuts the timeline after
/// the failure, removes chunks of lines (halves, quarters, … single lines), hosts with everything naming
/// them, header lines (a sysctl, a link), simplifies numbers (bytes, option values) and shortens gaps
/// between lines. Every candidate must parse without a diagnostic, so the result is a valid scenario; the
/// predicate decides the rest (it is expensive — a kernel run — so the search stops after
/// <c>maxTries</c> candidates, and passes go from the biggest cuts to the smallest).
/// </summary>
public sealed partial class Shrinker(ShrinkPredicate stillFails, int maxTries = 200, TimeSpan? minGap = null)
{
    private readonly TimeSpan _minGap = minGap ?? TimeSpan.FromMilliseconds(50);
    private int _tried;
    private int _kept;

    public async Task<ShrinkResult> ShrinkAsync(ScenarioDraft draft, TimeSpan? failureAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);

        // Written results are claims, not behaviour (the comparison looks at what each target did); without
        // them a smaller byte count cannot contradict an old "= 1000". ModelAnnotator writes them back.
        draft = draft with { Lines = draft.Lines.Select(l => l with { Statement = WithoutResult(l.Statement) }).ToList() };
        if (failureAt is { } at) draft = await TryAsync(draft, Truncate(draft, at), cancellationToken).ConfigureAwait(false);
        bool progress = true;
        while (progress && !Spent)
        {
            int before = _kept;
            draft = await RemoveChunksAsync(draft, cancellationToken).ConfigureAwait(false);
            draft = await RemoveHostsAsync(draft, cancellationToken).ConfigureAwait(false);
            draft = await RemoveHeaderLinesAsync(draft, cancellationToken).ConfigureAwait(false);
            draft = await SimplifyNumbersAsync(draft, cancellationToken).ConfigureAwait(false);
            draft = await ShortenGapsAsync(draft, cancellationToken).ConfigureAwait(false);
            progress = _kept > before;
        }

        return new ShrinkResult(draft, _tried, _kept, Spent);
    }

    private bool Spent => _tried >= maxTries;

    /// <summary>The candidate when it parses and still fails, else the current draft.</summary>
    private async Task<ScenarioDraft> TryAsync(ScenarioDraft current, ScenarioDraft? candidate, CancellationToken cancellationToken)
    {
        if (candidate is null || Spent || candidate.Render() == current.Render()) return current;
        if (candidate.TryParse("shrink.scn") is null) return current; // invalid: not worth a run
        _tried++;
        if (!await stillFails(candidate, cancellationToken).ConfigureAwait(false)) return current;
        _kept++;
        return candidate;
    }

    /// <summary>Lines after the instant the failure showed cannot have caused it (observations there are compared only up to the last line).</summary>
    private static ScenarioDraft? Truncate(ScenarioDraft draft, TimeSpan at)
    {
        var kept = draft.Lines.Where(l => l.At <= at).ToList();
        return kept.Count == draft.Lines.Count || kept.Count == 0 ? null : draft with { Lines = kept };
    }

    private async Task<ScenarioDraft> RemoveChunksAsync(ScenarioDraft draft, CancellationToken cancellationToken)
    {
        for (int size = Math.Max(1, draft.Lines.Count / 2); size >= 1 && !Spent; size /= 2)
        {
            // From the end: late lines are the likeliest to be irrelevant, and removing them shortens every later run.
            for (int start = draft.Lines.Count - size; start >= 0 && !Spent; start -= size)
            {
                var lines = draft.Lines.Where((_, i) => i < start || i >= start + size).ToList();
                if (lines.Count == 0) continue;
                draft = await TryAsync(draft, draft with { Lines = lines }, cancellationToken).ConfigureAwait(false);
                if (start > draft.Lines.Count) start = draft.Lines.Count;
            }
        }

        return draft;
    }

    private async Task<ScenarioDraft> RemoveHostsAsync(ScenarioDraft draft, CancellationToken cancellationToken)
    {
        foreach (string host in draft.Header.Where(h => h.StartsWith("host ", StringComparison.Ordinal)).Select(h => h.Split(' ')[1]).ToList())
        {
            if (draft.Header.Count(h => h.StartsWith("host ", StringComparison.Ordinal)) <= 1) break;
            var header = draft.Header.Where(h => !Names(h, host)).ToList();
            var lines = draft.Lines.Where(l => !Names(l.Statement, host)).ToList();
            draft = await TryAsync(draft, draft with { Header = header, Lines = lines }, cancellationToken).ConfigureAwait(false);
        }

        return draft;
    }

    private async Task<ScenarioDraft> RemoveHeaderLinesAsync(ScenarioDraft draft, CancellationToken cancellationToken)
    {
        for (int i = draft.Header.Count - 1; i >= 0 && !Spent; i--)
        {
            if (draft.Header[i].StartsWith("host ", StringComparison.Ordinal) || i >= draft.Header.Count) continue;
            var header = draft.Header.Where((_, j) => j != i).ToList();
            draft = await TryAsync(draft, draft with { Header = header }, cancellationToken).ConfigureAwait(false);
        }

        return draft;
    }

    /// <summary>Each number of a call (bytes, option values) tried as 1, then halved: smaller values read more easily.</summary>
    private async Task<ScenarioDraft> SimplifyNumbersAsync(ScenarioDraft draft, CancellationToken cancellationToken)
    {
        for (int i = 0; i < draft.Lines.Count && !Spent; i++)
        {
            string statement = draft.Lines[i].Statement;
            if (!statement.Contains(" send ", StringComparison.Ordinal) && !statement.Contains(" recv ", StringComparison.Ordinal)
                && !statement.Contains(" setsockopt ", StringComparison.Ordinal)) continue;
            Match m = TrailingNumber().Match(statement);
            if (!m.Success || !long.TryParse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture, out long n) || n <= 1) continue;
            foreach (long smaller in new[] { 1, n / 2 }.Distinct().Where(v => v < n))
            {
                string simpler = statement[..m.Groups["n"].Index] + smaller.ToString(System.Globalization.CultureInfo.InvariantCulture) + statement[(m.Groups["n"].Index + m.Groups["n"].Length)..];
                var lines = draft.Lines.Select((l, j) => j == i ? l with { Statement = simpler } : l).ToList();
                ScenarioDraft next = await TryAsync(draft, draft with { Lines = lines }, cancellationToken).ConfigureAwait(false);
                if (!ReferenceEquals(next, draft)) { draft = next; break; }
            }
        }

        return draft;
    }

    /// <summary>Each gap between two instants tried at the minimum, then halved (every later line moves with it).</summary>
    private async Task<ScenarioDraft> ShortenGapsAsync(ScenarioDraft draft, CancellationToken cancellationToken)
    {
        for (int i = draft.Lines.Count - 1; i > 0 && !Spent; i--)
        {
            TimeSpan gap = draft.Lines[i].At - draft.Lines[i - 1].At;
            if (gap <= _minGap) continue;
            foreach (TimeSpan shorter in new[] { _minGap, TimeSpan.FromTicks(Math.Max(_minGap.Ticks, gap.Ticks / 2 / _minGap.Ticks * _minGap.Ticks)) }.Distinct())
            {
                if (shorter >= gap) continue;
                TimeSpan cut = gap - shorter;
                int from = i;
                var lines = draft.Lines.Select((l, j) => j >= from ? l with { At = l.At - cut } : l).ToList();
                ScenarioDraft next = await TryAsync(draft, draft with { Lines = lines }, cancellationToken).ConfigureAwait(false);
                if (!ReferenceEquals(next, draft)) { draft = next; break; }
            }
        }

        return draft;
    }

    /// <summary>Whether a line names a host: as its first word, in <c>A-&gt;B</c>/<c>A&lt;-&gt;B</c>, <c>HOST:PORT</c>, or a header's argument.</summary>
    private static bool Names(string line, string host) =>
        line.Split(' ').Any(word => word == host
            || word.StartsWith(host + ":", StringComparison.Ordinal)
            || word.Split(["<->", "->"], StringSplitOptions.None) is { Length: 2 } ends && ends.Contains(host));

    private static string WithoutResult(string statement)
    {
        int eq = statement.IndexOf(" = ", StringComparison.Ordinal);
        return eq < 0 || statement.StartsWith("expect ", StringComparison.Ordinal) ? statement : statement[..eq];
    }

    [GeneratedRegex(@" (?<n>\d+)$")]
    private static partial Regex TrailingNumber();
}
