using System.Globalization;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Classification;
using Teardown.Linux.Inventory;
using Teardown.Linux.Journal;
using Teardown.Linux.Ledger;

namespace Teardown.Remediation;

/// <summary>
/// The record a later investigation reads: one ledger line and one syslog line (authpriv.notice)
/// per socket acted on, plus a syslog line when a run starts and ends. Who: the real uid, the audit
/// login uid (kept across sudo) and SUDO_USER. Whatever cannot be written is said once in
/// <see cref="Problems"/>; it never stops the run (the terminal and --json still report everything).
/// </summary>
public sealed class AuditTrail : IDisposable
{
    private readonly LedgerWriter? _ledger;
    private readonly SyslogClient? _syslog;
    private readonly List<string> _problems = [];
    private readonly uint _uid = Privileges.RealUid;
    private readonly string _who;
    private bool _ledgerFailed;
    private bool _syslogFailed;

    /// <summary>Opens the ledger and the syslog socket; either may be null (not wanted).</summary>
    public AuditTrail(string? ledgerPath, string? syslogPath)
    {
        _who = Who();
        if (ledgerPath is not null)
        {
            var ledger = LedgerWriter.Open(ledgerPath);
            if (ledger.IsOk) _ledger = ledger.Value;
            else _problems.Add($"ledger not written: {ledger.Error}");
        }

        if (syslogPath is not null)
        {
            var syslog = SyslogClient.Connect(syslogPath);
            if (syslog.IsOk) _syslog = syslog.Value;
            else _problems.Add($"no audit to syslog: nothing listens on {syslogPath} (no journald or syslog daemon); the ledger {ledgerPath ?? "(none)"} is the only record");
        }
    }

    /// <summary>What could not be recorded, in words (empty when everything was).</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Where audit lines go, for the report.</summary>
    public string Destinations =>
        string.Join(" and ", new[] { _ledger?.Path, _syslog is null ? null : $"syslog ({_syslog.Path})" }.Where(d => d is not null));

    /// <summary>The line that opens a run.</summary>
    public void Started(ActionKind action, int planned, string selection, double rate) =>
        Syslog($"{action.Id()} started by {_who}: {planned} socket(s) planned, selection {selection}, rate {rate.ToString("0.###", CultureInfo.InvariantCulture)}/s", warning: false);

    /// <summary>The line that closes a run.</summary>
    public void Finished(ActionKind action, RunTotals totals, bool interrupted) =>
        Syslog($"{action.Id()} {(interrupted ? "interrupted" : "finished")} by {_who}: released {totals.Released}, killed {totals.Killed}, skipped {totals.Skipped}, refused {totals.Refused}", warning: totals.Refused > 0);

    /// <summary>Records one socket's outcome.</summary>
    public void Record(ActionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var p = result.Planned;
        var id = p.Socket;
        if (_ledger is not null && !_ledgerFailed && _ledger.Write(ToEntry(result)) is { } error)
        {
            _ledgerFailed = true;
            _problems.Add($"ledger writes stopped: {error}");
        }

        string owner = id.Pid is int pid ? $" pid={pid} fd={id.Fd}{(p.Command is null ? "" : " comm=" + p.Command)}" : " orphan";
        string errno = result.Errno == Errno.None ? "" : $" errno={result.Errno}";
        Syslog(
            $"{p.Action.Id()} {result.Kind.ToString().ToLowerInvariant()}{errno}: {id.State.ToLinuxName()} {id.Local} -> {id.Remote} cookie={id.Cookie:x} inode={id.Inode}{owner} class={p.Class.Id()} netns={result.NetNsInode} by {_who}: {result.Detail}",
            warning: result.Kind == OutcomeKind.Refused);
    }

    private void Syslog(string message, bool warning)
    {
        if (_syslog is null || _syslogFailed) return;
        if (_syslog.Send(message, warning) is { } error)
        {
            _syslogFailed = true;
            _problems.Add($"syslog writes stopped: {error}");
        }
    }

    private LedgerEntry ToEntry(ActionResult r)
    {
        var id = r.Planned.Socket;
        return new LedgerEntry(
            r.At,
            r.Planned.Action == ActionKind.Release ? LedgerAction.Release : LedgerAction.Kill,
            r.Kind switch
            {
                OutcomeKind.Released => LedgerOutcome.Released,
                OutcomeKind.Killed => LedgerOutcome.Killed,
                OutcomeKind.Skipped => LedgerOutcome.Skipped,
                _ => LedgerOutcome.Refused,
            },
            r.Kind is OutcomeKind.Skipped or OutcomeKind.Refused ? r.Detail : null,
            r.Errno == Errno.None ? null : r.Errno.ToString(),
            r.NetNsInode,
            id.Cookie,
            id.Local.ToString(),
            id.Remote.ToString(),
            id.Inode,
            id.State.ToLinuxName(),
            r.Planned.Class.Id(),
            id.Pid,
            id.Fd,
            r.Planned.Command,
            _uid,
            Environment.ProcessId);
    }

    private static string Who()
    {
        string who = $"uid={Privileges.RealUid.ToString(CultureInfo.InvariantCulture)}";
        if (Privileges.LoginUid is uint login) who += $" loginuid={login.ToString(CultureInfo.InvariantCulture)}";
        if (Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudo) who += $" sudo_user={sudo}";
        return who;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ledger?.Dispose();
        _syslog?.Dispose();
    }
}
