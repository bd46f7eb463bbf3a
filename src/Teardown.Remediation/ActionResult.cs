using Teardown.Doctor.Actions;

namespace Teardown.Remediation;

/// <summary>How the action on one socket ended (the four outcomes).</summary>
public enum OutcomeKind : byte
{
    /// <summary>Our FIN was sent on the owner's socket (shutdown SHUT_WR on a duplicate of its descriptor).</summary>
    Released,
    /// <summary>The kernel destroyed the socket (SOCK_DESTROY).</summary>
    Killed,
    /// <summary>Not acted on because it is no longer the socket that was planned: gone, another connection or file in its place, or in another state.</summary>
    Skipped,
    /// <summary>The kernel refused the action; <see cref="ActionResult.Errno"/> says why.</summary>
    Refused,
}

/// <summary>What happened to one planned socket.</summary>
/// <param name="Planned">The plan's line.</param>
/// <param name="NetNsInode">The socket's network namespace.</param>
/// <param name="Kind">The outcome.</param>
/// <param name="Detail">In words: what was done, or why not.</param>
/// <param name="Errno">The errno of a refusal (or of the call that showed the socket had gone).</param>
/// <param name="At">When it was done.</param>
public sealed record ActionResult(PlannedAction Planned, ulong NetNsInode, OutcomeKind Kind, string Detail, Errno Errno, DateTimeOffset At);

/// <summary>What the hands report for one socket, before the runner stamps it with time and namespace.</summary>
/// <param name="Kind">The outcome.</param>
/// <param name="Detail">In words.</param>
/// <param name="Errno">The errno, if any.</param>
public readonly record struct HandsOutcome(OutcomeKind Kind, string Detail, Errno Errno = Errno.None)
{
    /// <summary>Skipped: <paramref name="why"/>.</summary>
    public static HandsOutcome Skip(string why, Errno errno = Errno.None) => new(OutcomeKind.Skipped, why, errno);

    /// <summary>Refused with <paramref name="errno"/>.</summary>
    public static HandsOutcome Refuse(Errno errno, string why) => new(OutcomeKind.Refused, why, errno);
}

/// <summary>One namespace's plan: the doctor's plan and where its sockets live.</summary>
/// <param name="NetNsInode">Inode of the network namespace the plan was made in.</param>
/// <param name="Plan">The plan.</param>
public sealed record NamespacePlan(ulong NetNsInode, ActionPlan Plan);
