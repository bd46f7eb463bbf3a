using System.Collections.Immutable;

namespace Teardown.Remediation;

/// <summary>Counts per outcome.</summary>
/// <param name="Released">Released.</param>
/// <param name="Killed">Killed.</param>
/// <param name="Skipped">Skipped (gone, changed, moved on).</param>
/// <param name="Refused">Refused by the kernel.</param>
public readonly record struct RunTotals(int Released, int Killed, int Skipped, int Refused)
{
    /// <summary>All outcomes.</summary>
    public int Total => Released + Killed + Skipped + Refused;

    /// <summary>These totals plus one outcome.</summary>
    public RunTotals Add(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Released => this with { Released = Released + 1 },
        OutcomeKind.Killed => this with { Killed = Killed + 1 },
        OutcomeKind.Skipped => this with { Skipped = Skipped + 1 },
        _ => this with { Refused = Refused + 1 },
    };
}

/// <summary>Where a run stands, for progress lines.</summary>
/// <param name="Done">Sockets handled so far.</param>
/// <param name="Planned">Sockets planned in all.</param>
/// <param name="Totals">Outcomes so far.</param>
/// <param name="Elapsed">Time since the first action.</param>
public readonly record struct RunProgress(int Done, int Planned, RunTotals Totals, TimeSpan Elapsed);

/// <summary>What a run did.</summary>
/// <param name="Results">Every socket handled, in order.</param>
/// <param name="Planned">Sockets planned.</param>
/// <param name="Totals">Counts per outcome.</param>
/// <param name="Interrupted">Stopped by Ctrl-C (or cancellation) before the end of the plan.</param>
/// <param name="Elapsed">From the first action to the last.</param>
/// <param name="AuditProblems">What could not be recorded (ledger, syslog).</param>
/// <param name="AuditDestinations">Where audit lines went.</param>
public sealed record RunSummary(
    ImmutableArray<ActionResult> Results,
    int Planned,
    RunTotals Totals,
    bool Interrupted,
    TimeSpan Elapsed,
    IReadOnlyList<string> AuditProblems,
    string AuditDestinations)
{
    /// <summary>
    /// True when every refusal is for want of a permission or a kernel feature and nothing was done:
    /// the run could not act at all (exit 3 rather than 1).
    /// </summary>
    public bool OnlyMissingPermissionOrFeature =>
        Totals.Refused > 0 && Totals.Released + Totals.Killed == 0 &&
        Results.Where(r => r.Kind == OutcomeKind.Refused).All(r => r.Errno is Errno.EPERM or Errno.EACCES or Errno.EOPNOTSUPP or Errno.ENOSYS);

    /// <summary>Sockets planned but not reached (interrupted).</summary>
    public int NotReached => Planned - Results.Length;
}
