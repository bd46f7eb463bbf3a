using System.Diagnostics;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Differential;

/// <summary>One scenario played on both targets.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Comparison">Model against kernel, when both ran.</param>
/// <param name="KernelFailures">Expectations the kernel's trace failed.</param>
/// <param name="Elapsed">Wall time of both runs.</param>
/// <param name="Error">Why the lab could not play it, when it could not.</param>
public sealed record ScenarioDiff(Scenario Scenario, Comparison? Comparison, int KernelFailures, TimeSpan Elapsed, string? Error)
{
    /// <summary>Both ran and their traces agree.</summary>
    public bool Agrees => Error is null && Comparison?.Agrees == true;

    /// <summary>The two traces compared (null when the lab could not play the scenario), for pictures of the run.</summary>
    public (ScenarioTrace Model, ScenarioTrace Kernel)? Traces { get; init; }

    /// <summary>How precisely the kernel run kept the scenario's time (null when it did not run).</summary>
    public LabPrecision? Precision { get; init; }

    /// <summary>
    /// The kernel run exceeded the lab's precision bounds (<see cref="LabPrecision.Exceeded"/>): the machine was
    /// too busy for the run to be judged, whether the traces agree or not — its own verdict, neither a divergence
    /// nor a pass.
    /// </summary>
    public bool LabImprecise => Error is null && Precision is { Precise: false };

    /// <summary>The verdict: error, lab-imprecise, diverges or agrees (in that precedence).</summary>
    public DiffVerdict Verdict => Error is not null ? DiffVerdict.Error : LabImprecise ? DiffVerdict.LabImprecise
        : Agrees ? DiffVerdict.Agrees : DiffVerdict.Diverges;

    /// <summary>When this is a re-run alone: the first run, which diverged beside other scenarios.</summary>
    public ScenarioDiff? DivergedFirst { get; init; }

    /// <summary>
    /// Set when the lab failed to play the kernel side the first time (e.g. a call that never returned) and this
    /// result is the run played alone: the first run's error, kept on record.
    /// </summary>
    public string? LabErrorFirst { get; init; }
}

/// <summary>What a scenario's diff says.</summary>
public enum DiffVerdict
{
    /// <summary>Model and kernel agree, and the lab kept time within its bounds.</summary>
    Agrees,
    /// <summary>The traces differ and the lab kept time: the model (or the scenario) is wrong.</summary>
    Diverges,
    /// <summary>The lab did not keep time within its bounds: the run cannot be judged (a busy machine, not a model bug).</summary>
    LabImprecise,
    /// <summary>The lab could not play the scenario.</summary>
    Error,
}

/// <summary>
/// Plays scenarios on the model and on the kernel and compares the traces, several at once (each
/// in its own namespaces; they mostly wait on timers). The kernel is the oracle: a divergence
/// means the model (or the scenario) is wrong.
/// </summary>
public static class DiffRunner
{
    /// <summary>Runs every scenario; results come back in the order given, progress as each one ends.</summary>
    /// <param name="scenarios">What to play.</param>
    /// <param name="seed">The model's seed.</param>
    /// <param name="jobs">Scenarios on the kernel at once.</param>
    /// <param name="progress">Called after each scenario with (finished so far, result).</param>
    /// <param name="cancellationToken">Stops between scenarios.</param>
    public static async Task<IReadOnlyList<ScenarioDiff>> RunAsync(IReadOnlyList<Scenario> scenarios, ulong seed, int jobs,
        Action<int, ScenarioDiff>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        LabPrerequisites.Ensure();
        var model = new ModelTarget(seed);
        // Real-time threads only for a run that plays alone (KernelTargetOptions.RealTime: side by side, the runtime's
        // collections starve behind them and lines run seconds late).
        var kernel = new KernelTarget(new KernelTargetOptions { RealTime = jobs == 1 });
        var results = new ScenarioDiff[scenarios.Count];
        int done = 0;
        using var gate = new SemaphoreSlim(jobs);

        // The longest timelines start first: the 60-second TIME_WAIT and 100-second crash scenarios then
        // overlap with everything else instead of running alone at the end.
        var startOrder = Enumerable.Range(0, scenarios.Count).OrderByDescending(i => Duration(scenarios[i]));
        var tasks = startOrder.Select(async index =>
        {
            var scenario = scenarios[index];
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            var started = Stopwatch.StartNew();
            try
            {
                var modelTrace = model.Play(scenario, cancellationToken);
                var kernelTrace = await kernel.PlayAsync(scenario, cancellationToken).ConfigureAwait(false);
                var comparison = TraceComparer.Compare(modelTrace, kernelTrace);
                int kernelFailures = ExpectationChecker.Check(kernelTrace).Count(v => !v.Passed);
                results[index] = new ScenarioDiff(scenario, comparison, kernelFailures, started.Elapsed, null) { Precision = kernelTrace.Precision, Traces = (modelTrace, kernelTrace) };
            }
            catch (Exception ex) when (ex is LabRunException or IOException or InvalidOperationException)
            {
                results[index] = new ScenarioDiff(scenario, null, 0, started.Elapsed, ex.Message);
            }
            finally
            {
                gate.Release();
            }

            progress?.Invoke(Interlocked.Increment(ref done), results[index]);
        });
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Plays every divergent or lab-imprecise scenario of <paramref name="results"/> again, alone: the kernel's
    /// timers and the lab's threads are late on a loaded machine, and a scenario whose lines sit a few
    /// milliseconds from a timer can then diverge without any model error. A divergence that
    /// repeats alone is kept; one that does not is reported as such (<see cref="ScenarioDiff.DivergedFirst"/>);
    /// a run that was imprecise takes the re-run's result when that one kept time. A lab error (the kernel side could
    /// not be played: a call that never returned, an agent that died) is played again too: the lab failed, not the
    /// model, so the re-run's result stands, with the first error on record (<see cref="ScenarioDiff.LabErrorFirst"/>);
    /// an error that repeats alone stays an error.
    /// </summary>
    public static Task<IReadOnlyList<ScenarioDiff>> RecheckAsync(IReadOnlyList<ScenarioDiff> results, ulong seed,
        Action<ScenarioDiff>? progress = null, CancellationToken cancellationToken = default) =>
        RecheckAsync(results, async (scenario, ct) => (await RunAsync([scenario], seed, 1, cancellationToken: ct).ConfigureAwait(false))[0], progress, cancellationToken);

    /// <summary><see cref="RecheckAsync(IReadOnlyList{ScenarioDiff}, ulong, Action{ScenarioDiff}?, CancellationToken)"/> with the re-run given (tests).</summary>
    internal static async Task<IReadOnlyList<ScenarioDiff>> RecheckAsync(IReadOnlyList<ScenarioDiff> results,
        Func<Scenario, CancellationToken, Task<ScenarioDiff>> playAlone, Action<ScenarioDiff>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(playAlone);
        var rechecked = results.ToArray();
        for (int i = 0; i < rechecked.Length; i++)
        {
            if (rechecked[i].Verdict is DiffVerdict.Agrees) continue;
            var again = await playAlone(rechecked[i].Scenario, cancellationToken).ConfigureAwait(false);
            bool wasImprecise = rechecked[i].LabImprecise;
            rechecked[i] = again.Verdict switch
            {
                _ when rechecked[i].Error is string error => again with { LabErrorFirst = error },
                DiffVerdict.Agrees => again with { DivergedFirst = wasImprecise ? null : rechecked[i] },
                DiffVerdict.Diverges when wasImprecise => again, // judged now: a divergence of a precise run
                _ => rechecked[i],
            };
            progress?.Invoke(rechecked[i]);
        }

        return rechecked;
    }

    private static TimeSpan Duration(Scenario scenario) => scenario.Timeline.Count == 0 ? TimeSpan.Zero : scenario.Timeline.Max(l => l.At);
}
