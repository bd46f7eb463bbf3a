namespace Teardown.Linux.Ledger;

/// <summary>What was done to one socket by <c>teardown release</c> or <c>teardown kill</c>.</summary>
public enum LedgerAction : byte
{
    /// <summary>pidfd_getfd + shutdown(SHUT_WR) of a descriptor a live process holds.</summary>
    Release,
    /// <summary>netlink SOCK_DESTROY.</summary>
    Kill,
}

/// <summary>The names the ledger, the metrics and the API give the actions.</summary>
public static class LedgerActionNames
{
    /// <summary>"release" or "kill".</summary>
    public static string Id(this LedgerAction action) => action == LedgerAction.Release ? "release" : "kill";
}

/// <summary>How an action on one socket ended.</summary>
public enum LedgerOutcome : byte
{
    /// <summary>The owner's socket was shut down for writing: our FIN was sent.</summary>
    Released,
    /// <summary>The kernel destroyed the socket.</summary>
    Killed,
    /// <summary>Not acted on: the socket vanished, changed identity or moved on to another state.</summary>
    Skipped,
    /// <summary>The kernel refused (the errno says why).</summary>
    Refused,
}

/// <summary>
/// One line of the action ledger: who did what to which socket, and how it ended. The ledger is
/// the audit trail the commands leave on the host (besides syslog) and what <c>serve</c>,
/// <c>watch</c> and <c>doctor</c> read to count released and killed sockets and to recognise a
/// descriptor the application still holds after a release.
/// </summary>
/// <param name="Time">When it was done (UTC).</param>
/// <param name="Action">Release or kill.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Reason">For skipped and refused: why, in words.</param>
/// <param name="Errno">For refused: the errno name (EPERM, ESRCH, EOPNOTSUPP…).</param>
/// <param name="NetnsInode">Inode of the socket's network namespace (0 when unknown).</param>
/// <param name="Cookie">sock_diag cookie.</param>
/// <param name="Local">Local endpoint, "addr:port" ("[v6]:port").</param>
/// <param name="Remote">Remote endpoint.</param>
/// <param name="Inode">Socket inode (0 for a socket no descriptor refers to).</param>
/// <param name="State">State when acted on (Linux name, e.g. CLOSE_WAIT).</param>
/// <param name="Class">The doctor's class id (e.g. close-wait-unread-eof).</param>
/// <param name="Pid">Owner process, when held.</param>
/// <param name="Fd">Owner's descriptor, when held.</param>
/// <param name="Command">Owner's command name, when known.</param>
/// <param name="Uid">Real uid of whoever ran the tool.</param>
/// <param name="ToolPid">Pid of the tool that acted.</param>
public sealed record LedgerEntry(
    DateTimeOffset Time,
    LedgerAction Action,
    LedgerOutcome Outcome,
    string? Reason,
    string? Errno,
    ulong NetnsInode,
    ulong Cookie,
    string Local,
    string Remote,
    ulong Inode,
    string State,
    string Class,
    int? Pid,
    int? Fd,
    string? Command,
    uint Uid,
    int ToolPid);
