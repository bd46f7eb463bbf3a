using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.RateLimiting;
using Teardown.Doctor.Actions;

namespace Teardown.Remediation;

/// <summary>How a run goes.</summary>
public sealed record RunOptions
{
    /// <summary>The default rate: a FIN or an RST per socket, a thousand a second, is nothing for a network or a peer, and clears 50,000 sockets in under a minute.</summary>
    public const double DefaultRatePerSecond = 1000;

    /// <summary>At most this many sockets a second.</summary>
    public double RatePerSecond { get; init; } = DefaultRatePerSecond;

    /// <summary>The ledger file, or null for none.</summary>
    public string? LedgerPath { get; init; }

    /// <summary>The syslog socket, or null for none.</summary>
    public string? SyslogPath { get; init; }

    /// <summary>The selection in words, for the audit's first line.</summary>
    public string SelectionText { get; init; } = "";

    /// <summary>Progress, reported after every socket (the receiver throttles).</summary>
    public Action<RunProgress>? Progress { get; init; }
}

/// <summary>
/// Carries out plans: for every planned socket, in order, waits for the rate limiter, re-verifies
/// and acts through the namespace's hands, and records the outcome. Cancellation stops between two
/// sockets, never in the middle of one; what was done so far is returned.
/// </summary>
public static class ActionRunner
{
    /// <summary>Runs <paramref name="plans"/>.</summary>
    public static async Task<RunSummary> RunAsync(IReadOnlyList<NamespacePlan> plans, IHandsFactory hands, RunOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(hands);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.RatePerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(options), "the rate must be positive");
        int planned = plans.Sum(p => p.Plan.Actions.Length);
        var action = plans.SelectMany(p => p.Plan.Actions).Select(a => a.Action).FirstOrDefault();
        using var audit = new AuditTrail(options.LedgerPath, options.SyslogPath);
        using var limiter = Limiter(options.RatePerSecond);
        var results = ImmutableArray.CreateBuilder<ActionResult>(planned);
        var totals = default(RunTotals);
        bool interrupted = false;
        var clock = Stopwatch.StartNew();
        if (planned > 0) audit.Started(action, planned, options.SelectionText, options.RatePerSecond);

        foreach (var plan in plans)
        {
            if (plan.Plan.Actions.IsEmpty) continue;
            if (interrupted) break;
            var opened = hands.Open(plan.NetNsInode);
            using var namespaceHands = opened.IsOk ? opened.Value : null;
            foreach (var planned1 in plan.Plan.Actions)
            {
                if (cancellation.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }

                try
                {
                    using var lease = await limiter.AcquireAsync(1, cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    interrupted = true;
                    break;
                }

                var outcome = namespaceHands is not null
                    ? namespaceHands.Apply(planned1)
                    : HandsOutcome.Refuse(opened.Error!.Value.Errno, $"cannot act in network namespace {plan.NetNsInode}: {opened.Error}");
                var result = new ActionResult(planned1, plan.NetNsInode, outcome.Kind, outcome.Detail, outcome.Errno, DateTimeOffset.UtcNow);
                results.Add(result);
                totals = totals.Add(result.Kind);
                audit.Record(result);
                options.Progress?.Invoke(new RunProgress(results.Count, planned, totals, clock.Elapsed));
            }
        }

        if (planned > 0) audit.Finished(action, totals, interrupted);
        return new RunSummary(results.ToImmutable(), planned, totals, interrupted, clock.Elapsed, [.. audit.Problems], audit.Destinations);
    }

    /// <summary>
    /// A token bucket that admits <paramref name="perSecond"/> sockets a second in small, even
    /// steps (at most a twentieth of a second's worth at once), so that a peer sees a steady trickle
    /// of FINs or RSTs, never a burst.
    /// </summary>
    internal static TokenBucketRateLimiter Limiter(double perSecond)
    {
        int tokens = (int)Math.Clamp(Math.Floor(perSecond / 20), 1, int.MaxValue);
        var period = TimeSpan.FromSeconds(tokens / perSecond);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
