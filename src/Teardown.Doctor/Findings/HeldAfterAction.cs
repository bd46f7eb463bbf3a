using System.Collections.Immutable;
using Teardown.Linux.Ledger;

namespace Teardown.Doctor.Findings;

/// <summary>One socket teardown released or killed whose descriptor the application still holds.</summary>
/// <param name="Fd">The application's descriptor number.</param>
/// <param name="Inode">The socket inode.</param>
/// <param name="Local">Local endpoint when it was acted on.</param>
/// <param name="Remote">Remote endpoint.</param>
/// <param name="Class">The doctor's class id when it was acted on.</param>
/// <param name="Action">Release or kill.</param>
/// <param name="At">When it was acted on.</param>
public sealed record HeldSocket(int Fd, ulong Inode, string Local, string Remote, string Class, LedgerAction Action, DateTimeOffset At);

/// <summary>
/// A finding of its own: connections <c>teardown release</c> (or <c>kill</c>) ended whose descriptors
/// one process still holds. The connections are closed and gone from the kernel's tables, but each
/// descriptor still counts against the process's RLIMIT_NOFILE until the application closes it; no
/// outside tool can close it safely. Always less severe than the live leak it was.
/// </summary>
public sealed record HeldAfterActionFinding
{
    /// <summary>The finding's kind id (in JSON).</summary>
    public const string Kind = "held-after-release";

    /// <summary>How urgent: info, unless the process is close to its descriptor limit.</summary>
    public required Severity Severity { get; init; }
    /// <summary>The process holding the descriptors.</summary>
    public required OwnerSummary Owner { get; init; }
    /// <summary>One line for people.</summary>
    public required string Title { get; init; }
    /// <summary>Descriptors still held.</summary>
    public int Count => Sockets.Length;
    /// <summary>Of those, released (the rest were killed).</summary>
    public int Released => Sockets.Count(s => s.Action == LedgerAction.Release);
    /// <summary>Of those, killed.</summary>
    public int Killed => Sockets.Count(s => s.Action == LedgerAction.Kill);
    /// <summary>What happened, for people.</summary>
    public required string Mechanism { get; init; }
    /// <summary>What frees them.</summary>
    public required IReadOnlyList<string> Fix { get; init; }
    /// <summary>Every held socket, by descriptor number.</summary>
    public required ImmutableArray<HeldSocket> Sockets { get; init; }
    /// <summary>The descriptor numbers, ascending.</summary>
    public IEnumerable<int> Fds => Sockets.Select(s => s.Fd);
}
