using System.Diagnostics;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Fuzzing;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Differential;

/// <summary>What a fuzz campaign is asked to do.</summary>
/// <param name="Count">Scenarios to play (generated ones the race guard could not settle are skipped, not counted).</param>
/// <param name="Seed">The first scenario's seed; scenario i has seed + i, so any one can be generated again alone.</param>
/// <param name="Jobs">Scenarios on the kernel at once.</param>
/// <param name="Budget">Wall time after which no new batch starts (findings in hand are still confirmed and shrunk).</param>
/// <param name="ModelOnly">Check the model's own properties (<see cref="ModelChecks"/>) instead of comparing with the kernel.</param>
/// <param name="Generation">How scenarios are generated.</param>
/// <param name="ShrinkTries">Candidates tried per shrink (each one a kernel run in a diff campaign).</param>
public sealed record FuzzPlan(int Count, ulong Seed, int Jobs, TimeSpan? Budget, bool ModelOnly, FuzzOptions Generation, int ShrinkTries = 40);

/// <summary>
/// One finding: a scenario on which the model and the kernel diverged, twice (the second time alone), or on
/// which a model property failed; with its minimized form and what the minimized form shows.
/// </summary>
public sealed record FuzzFinding(ulong Seed, string Aspect, string Description, ScenarioDraft Original, ScenarioDraft Minimal, int ShrinkTries);

/// <summary>What a campaign did.</summary>
public sealed record FuzzReport(
    int Played,
    int Agreed,
    int Unsettled,
    int NotReproduced,
    int LabErrors,
    IReadOnlyList<FuzzFinding> Findings,
    IReadOnlyList<AspectSummary> Aspects,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Of <see cref="Agreed"/>, the runs whose kernel side was lab-imprecise (lines or packets beyond the 1-ms
    /// bounds, as runs played side by side are): compared all the same, at the generator's spacing of 50 ms.
    /// </summary>
    public int AgreedImprecise { get; init; }

    /// <summary>Scenarios played per minute of wall time.</summary>
    public double PerMinute => Elapsed.TotalMinutes <= 0 ? 0 : Played / Elapsed.TotalMinutes;
}

/// <summary>
/// <c>teardown fuzz</c>: generated scenarios played on the model and on the kernel (<see cref="DiffRunner"/>),
/// in batches. A divergence counts only when the kernel repeats it with the scenario played alone (a busy
/// machine makes the lab late, not the model wrong). Runs side by side first take a second look: a scenario that
/// diverged is played again in the next batch, and only if it diverges there too, in the same aspect, is it played
/// alone — a run alone holds every other job back, and most divergences side by side are the lab's timing and do
/// not repeat (11 of 20 in the first slice of the long campaign). A confirmed divergence is then shrunk (<see cref="Shrinker"/>) with "the kernel
/// still diverges in the same aspect, and the candidate does not race" as the predicate, and reported with its
/// minimal scenario. With <see cref="FuzzPlan.ModelOnly"/> no kernel is needed: each scenario is checked for
/// the model's own properties, and a failure is shrunk the same way, on the model alone.
/// </summary>
public sealed class FuzzCampaign(FuzzPlan plan, Action<string>? progress = null, Action<FuzzFinding>? found = null)
{
    private const ulong ModelSeed = 1;
    private readonly Dictionary<string, (int Compared, int Diverged)> _aspects = Scenarios.Checking.Aspects.All.ToDictionary(a => a, _ => (0, 0), StringComparer.Ordinal);
    private readonly List<FuzzFinding> _findings = [];
    private int _played, _agreed, _agreedImprecise, _unsettled, _notReproduced, _labErrors;

    // Scenarios that diverged side by side in the last batch, with what they showed: played again in the next one.
    private readonly List<(FuzzCase Case, Comparison First)> _secondLook = [];

    /// <summary>Plays scenarios on both targets, <c>jobs</c> at once (<see cref="DiffRunner.RunAsync"/>; tests put a stand-in here).</summary>
    internal Func<IReadOnlyList<Scenario>, int, Action<int, ScenarioDiff>?, CancellationToken, Task<IReadOnlyList<ScenarioDiff>>> Play { get; init; } = OnTheKernel;

    private static readonly Func<IReadOnlyList<Scenario>, int, Action<int, ScenarioDiff>?, CancellationToken, Task<IReadOnlyList<ScenarioDiff>>> OnTheKernel =
        (scenarios, jobs, progress, ct) => DiffRunner.RunAsync(scenarios, ModelSeed, jobs, progress, ct);

    public async Task<FuzzReport> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.ModelOnly && ReferenceEquals(Play, OnTheKernel)) LabPrerequisites.Ensure();
        var clock = Stopwatch.StartNew();
        ulong next = plan.Seed;
        while (_played < plan.Count && !(plan.Budget is { } budget && clock.Elapsed >= budget))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Batches of 4 × jobs: divergences are confirmed alone between batches, and a batch ends with its longest
            // timeline (up to --max-duration) — a larger batch overlaps more of them (longest first, DiffRunner).
            int want = Math.Min(plan.Count - _played, plan.ModelOnly ? 1 : Math.Max(2, plan.Jobs * 4));
            var again = _secondLook.ToList();
            _secondLook.Clear();
            var batch = new List<FuzzCase>();
            while (batch.Count < want)
            {
                FuzzCase? c = FuzzCase.Make(next++, plan.Generation, ModelSeed);
                if (c is null) _unsettled++;
                else batch.Add(c);
            }

            if (plan.ModelOnly) await CheckModelAsync(batch[0], cancellationToken).ConfigureAwait(false);
            else await DiffAsync(batch, again, clock, cancellationToken).ConfigureAwait(false);
        }

        // The count is played or the budget spent: what still waits for its second look goes straight to a run alone.
        foreach ((FuzzCase c, Comparison first) in _secondLook) await ConfirmAndShrinkAsync(c, first, cancellationToken).ConfigureAwait(false);
        _secondLook.Clear();

        var aspects = _aspects.Select(a => new AspectSummary(a.Key, a.Value.Compared, a.Value.Diverged))
            .OrderBy(a => IndexOf(a.Aspect)).ToList();
        return new FuzzReport(_played, _agreed, _unsettled, _notReproduced, _labErrors, _findings, aspects, clock.Elapsed) { AgreedImprecise = _agreedImprecise };
    }

    /// <param name="batch">new scenarios, counted as played</param>
    /// <param name="again">scenarios of the last batch that diverged side by side, played again beside the new ones</param>
    private async Task DiffAsync(List<FuzzCase> batch, List<(FuzzCase Case, Comparison First)> again, Stopwatch clock, CancellationToken cancellationToken)
    {
        int playedBefore = _played;
        var secondLooks = new HashSet<Scenario>(again.Select(a => a.Case.Scenario), ReferenceEqualityComparer.Instance);
        List<FuzzCase> all = [.. batch, .. again.Select(a => a.Case)];
        IReadOnlyList<ScenarioDiff> results;
        try
        {
            results = await PlayBatchAsync(all, secondLooks, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout inside the lab (not the user's Ctrl-C) ends the whole batch: count it as lab errors and go on.
            _played = playedBefore + batch.Count;
            _labErrors += batch.Count;
            progress?.Invoke($"lab error on a batch of {all.Count} ({string.Join(", ", all.Select(c => c.Scenario.FileName))}): {ex.Message}");

            // The second looks said nothing either way: the runs alone decide.
            foreach ((FuzzCase c, Comparison first) in again) await ConfirmAndShrinkAsync(c, first, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (int i = batch.Count; i < all.Count; i++)
        {
            (FuzzCase c, Comparison first) = again[i - batch.Count];
            string aspect = first.Divergences[0].Aspect;
            // A lab error says nothing either way: the run alone decides.
            if (results[i].Error is not null || DivergesIn(results[i], aspect)) await ConfirmAndShrinkAsync(c, first, cancellationToken).ConfigureAwait(false);
            else
            {
                _notReproduced++;
                progress?.Invoke($"{c.Scenario.FileName}: the {aspect} divergence did not repeat when played again side by side (the lab's timing, not the model): {Describe(first.Divergences[0])}");
            }
        }

        for (int i = 0; i < batch.Count; i++)
        {
            ScenarioDiff r = results[i];
            if (r.Error is not null)
            {
                _labErrors++;
                progress?.Invoke($"lab error on {r.Scenario.FileName}: {r.Error}");
                continue;
            }

            Tally(r.Comparison!);
            if (r.Agrees)
            {
                _agreed++;
                if (r.LabImprecise) _agreedImprecise++;
                continue;
            }

            // Alone, a run is already as precise as the lab gets: confirm at once.
            if (plan.Jobs > 1) _secondLook.Add((batch[i], r.Comparison!));
            else await ConfirmAndShrinkAsync(batch[i], r.Comparison!, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<IReadOnlyList<ScenarioDiff>> PlayBatchAsync(List<FuzzCase> batch, HashSet<Scenario> secondLooks, Stopwatch clock, CancellationToken cancellationToken) =>
        Play(batch.Select(c => c.Scenario).ToList(), plan.Jobs, (_, r) =>
        {
            bool second = secondLooks.Contains(r.Scenario);
            int n = second ? Volatile.Read(ref _played) : Interlocked.Increment(ref _played);
            string verdict = r.Error is not null ? "lab error" : r.Agrees ? "agrees" : "DIVERGES";
            string timing = r.Precision is { } p && r.Error is null ? FormattableString.Invariant($"lines p99 {p.Lines.P99Us / 1000:F1} ms, ") : "";
            progress?.Invoke(FormattableString.Invariant(
                $"{(second ? "[again]" : $"[{n}/{plan.Count}]")} {verdict,-9} {r.Scenario.FileName} ({r.Elapsed.TotalSeconds:F1} s; {timing}{n / Math.Max(clock.Elapsed.TotalMinutes, 1e-9):F1} scenarios/min)"));
        }, cancellationToken);

    private async Task ConfirmAndShrinkAsync(FuzzCase c, Comparison first, CancellationToken cancellationToken)
    {
        string aspect = first.Divergences[0].Aspect;
        ScenarioDiff again = await PlayAloneAsync(c.Scenario, cancellationToken).ConfigureAwait(false);
        if (again.Error is not null || !DivergesIn(again, aspect))
        {
            _notReproduced++;
            progress?.Invoke($"{c.Scenario.FileName}: the {aspect} divergence did not repeat when played alone (the lab's timing, not the model): {Describe(first.Divergences[0])}");
            return;
        }

        if (!await LabHealthyAsync(cancellationToken).ConfigureAwait(false))
        {
            _notReproduced++;
            progress?.Invoke($"{c.Scenario.FileName}: the {aspect} divergence repeated, but the lab then failed its canary (a plain connect and close): not counted");
            return;
        }

        progress?.Invoke($"{c.Scenario.FileName}: {aspect} divergence confirmed alone; shrinking (at most {plan.ShrinkTries} kernel runs)…");
        Divergence last = again.Comparison!.Divergences[0];
        int tried = 0;
        async Task<bool> StillDiverges(ScenarioDraft candidate, CancellationToken ct)
        {
            Scenario? s = candidate.TryParse(c.Scenario.FileName);
            if (s is null || RaceGuard.Settle(candidate, plan.Generation, ModelSeed, rounds: 1) is null) return false;
            ScenarioDiff d = await PlayAloneAsync(s, ct).ConfigureAwait(false);
            bool still = DivergesIn(d, aspect);
            progress?.Invoke(FormattableString.Invariant(
                $"  shrink {++tried}/{plan.ShrinkTries}: {candidate.Lines.Count} lines, {candidate.Duration.TotalSeconds:F2} s: {(still ? "still diverges" : "agrees, undone")}"));
            if (!still) return false;
            last = d.Comparison!.Divergences.First(x => x.Aspect == aspect);
            return true;
        }

        ShrinkResult shrunk = await new Shrinker(StillDiverges, plan.ShrinkTries, plan.Generation.Resolution)
            .ShrinkAsync(c.Draft, last.At, cancellationToken).ConfigureAwait(false);
        Add(new FuzzFinding(c.Seed, aspect, Describe(last), c.Draft, ModelAnnotator.Annotate(shrunk.Draft, ModelSeed), shrunk.Tried));
    }

    private async Task CheckModelAsync(FuzzCase c, CancellationToken cancellationToken)
    {
        int n = ++_played;
        IReadOnlyList<string> problems = ModelChecks.Check(c.Draft, ModelSeed);
        if (n % 50 == 0 || n == plan.Count || problems.Count > 0) progress?.Invoke(FormattableString.Invariant($"[{n}/{plan.Count}] {(problems.Count == 0 ? "holds" : "FAILS"),-6} {c.Scenario.FileName}"));
        if (problems.Count == 0)
        {
            _agreed++;
            return;
        }

        // The property's name is the text before the colon: the shrink keeps that property failing.
        string property = problems[0].Split(':')[0];
        string last = problems[0];
        Task<bool> StillFails(ScenarioDraft candidate, CancellationToken ct)
        {
            string? same = ModelChecks.Check(candidate, ModelSeed).FirstOrDefault(p => p.StartsWith(property + ":", StringComparison.Ordinal));
            if (same is not null) last = same;
            return Task.FromResult(same is not null);
        }

        ShrinkResult shrunk = await new Shrinker(StillFails, 400, plan.Generation.Resolution).ShrinkAsync(c.Draft, null, cancellationToken).ConfigureAwait(false);
        Add(new FuzzFinding(c.Seed, "property " + property, last, c.Draft, ModelAnnotator.Annotate(shrunk.Draft, ModelSeed), shrunk.Tried));
    }

    /// <summary>
    /// A scenario every lab must get right: a connection made, one send, both ends closed. Played after a
    /// divergence repeated: on a machine overloaded for minutes (namespaces slow to create, agents late) a
    /// divergence repeats for the lab's reasons, and then the canary diverges too.
    /// </summary>
    private const string Canary = """
        scenario "fuzz canary: the lab plays a plain connection correctly"
        host a
        host b
        0       b listen L 8080
        0.05    a connect C b:8080
        0.1     b accept S L
        0.15    a send C 10
        0.2     b recv S 10
        0.25    a close C
        0.3     b close S
        0.4     expect C TIME_WAIT
        0.4     expect S GONE
        """;

    private async Task<bool> LabHealthyAsync(CancellationToken cancellationToken)
    {
        Scenario canary = ScenarioParser.Parse(Canary, "fuzz-canary.scn").Scenario!;
        return (await PlayAloneAsync(canary, cancellationToken).ConfigureAwait(false)).Agrees;
    }

    /// <summary>Keeps a finding and hands it out at once: a long campaign's findings are on disk before it ends.</summary>
    private void Add(FuzzFinding finding)
    {
        _findings.Add(finding);
        found?.Invoke(finding);
    }

    private async Task<ScenarioDiff> PlayAloneAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        try
        {
            return (await Play([scenario], 1, null, cancellationToken).ConfigureAwait(false))[0];
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new ScenarioDiff(scenario, null, 0, TimeSpan.Zero, "the lab timed out: " + ex.Message);
        }
    }

    private static bool DivergesIn(ScenarioDiff d, string aspect) =>
        d.Error is null && d.Comparison is { Agrees: false } cmp && cmp.Divergences.Any(x => x.Aspect == aspect);

    private static string Describe(Divergence d) =>
        $"{d.Aspect} at {ScenarioDraft.Time(d.At)}s{(d.Line is null ? "" : $" (at or after “{d.Line.Text.Trim()}”)")}: model {d.Model}; kernel {d.Kernel}";

    private void Tally(Comparison comparison)
    {
        foreach (AspectSummary a in comparison.Summary)
        {
            (int compared, int diverged) = _aspects[a.Aspect];
            _aspects[a.Aspect] = (compared + a.Compared, diverged + a.Diverged);
        }
    }

    private static int IndexOf(string aspect)
    {
        for (int i = 0; i < Scenarios.Checking.Aspects.All.Count; i++)
        {
            if (Scenarios.Checking.Aspects.All[i] == aspect) return i;
        }

        return int.MaxValue;
    }
}
