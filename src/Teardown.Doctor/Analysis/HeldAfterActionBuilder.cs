using System.Collections.Immutable;
using System.Globalization;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Ledger;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// Turns the snapshot's still-held descriptors (ledger entries whose <c>/proc/PID/fd/FD</c> still
/// names their socket) into one finding per owning process. Pure.
/// </summary>
public static class HeldAfterActionBuilder
{
    /// <summary>Descriptor numbers listed in a title before "…".</summary>
    internal const int FdsInTitle = 8;

    /// <summary>The findings, most severe and largest first.</summary>
    public static ImmutableArray<HeldAfterActionFinding> Build(DoctorInput input, DoctorFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        filter ??= DoctorFilter.None;
        return [.. input.HeldAfterAction
            .Where(e => e.Pid is int && e.Fd is int)
            .Where(e => filter.Pid is not int pid || e.Pid == pid)
            .Where(e => filter.Port is not int port || PortOf(e.Local) == port || PortOf(e.Remote) == port)
            .GroupBy(e => e.Pid!.Value)
            .Select(g => Finding(g.Key, g.ToList(), input))
            .OrderByDescending(f => f.Severity).ThenByDescending(f => f.Count).ThenBy(f => f.Owner.Pid)];
    }

    private static HeldAfterActionFinding Finding(int pid, List<LedgerEntry> entries, DoctorInput input)
    {
        var owner = input.Processes.TryGetValue(pid, out var p)
            ? new OwnerSummary(pid, p.Comm, p.Executable, p.CgroupPath, p.FdCount, p.NoFileLimit?.Soft)
            : new OwnerSummary(pid, entries.Select(e => e.Command).FirstOrDefault(c => c is not null), null, null, 0, null);
        var sockets = entries
            .Select(e => new HeldSocket(e.Fd!.Value, e.Inode, e.Local, e.Remote, e.Class, e.Action, e.Time))
            .DistinctBy(s => s.Fd)
            .OrderBy(s => s.Fd)
            .ToImmutableArray();
        bool released = sockets.Any(s => s.Action == LedgerAction.Release), killed = sockets.Any(s => s.Action == LedgerAction.Kill);
        string verb = released && killed ? "released or killed" : released ? "released" : "killed";
        string noun = sockets.Length == 1 ? "connection" : "connections";
        string fds = string.Join(", ", sockets.Take(FdsInTitle).Select(s => s.Fd.ToString(CultureInfo.InvariantCulture))) + (sockets.Length > FdsInTitle ? ", …" : "");
        bool one = sockets.Length == 1;
        string title = $"{sockets.Length} {noun} {verb} by teardown {(one ? "is" : "are")} still held by {owner.Display}: " +
            $"{(one ? "fd" : "fds")} {fds} — {(one ? "it counts" : "they count")} against its descriptor limit until the application closes {(one ? "it" : "them")}; " +
            $"only the application (a fix of its close path, or a restart) frees {(one ? "it" : "them")}";
        return new HeldAfterActionFinding
        {
            Severity = SeverityOf(owner),
            Owner = owner,
            Title = title,
            Mechanism =
                "teardown ended these connections from outside (release: shutdown(SHUT_WR) of a duplicate of the descriptor, so the peer got our FIN; " +
                "kill: SOCK_DESTROY). The connections are closed and gone from the kernel's socket tables, but the application's descriptors still " +
                "refer to the closed sockets: each one still counts against its RLIMIT_NOFILE. Its next read on one returns end of stream and a " +
                "write fails with EPIPE (after a kill, ECONNABORTED first).",
            Fix =
            [
                "Only the application can free these descriptors: fix its close path (close() after end of stream and on every error path) or restart it.",
                "An application that handles end of stream or EPIPE closes them by itself on its next read or write.",
                "No outside tool closes another process's descriptor safely: the number could be reused by the application at any moment.",
            ],
            Sockets = sockets,
        };
    }

    /// <summary>
    /// Info, unless the process is close to its descriptor limit: medium from half of it, high from 80 %
    /// (a live leak of the same weight is high and critical: what is left is one step less urgent).
    /// </summary>
    internal static Severity SeverityOf(OwnerSummary owner)
    {
        if (owner.FdLimit is not long limit || limit <= 0) return Severity.Info;
        double used = (double)owner.FdCount / limit;
        return used >= 0.8 ? Severity.High : used >= 0.5 ? Severity.Medium : Severity.Info;
    }

    // "10.0.0.1:8080" or "[::1]:8080" → 8080.
    private static int? PortOf(string endpoint) =>
        endpoint.LastIndexOf(':') is int colon and >= 0 && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : null;
}
