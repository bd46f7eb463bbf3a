using System.Globalization;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Forecast;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Model.Kernel;

namespace Teardown.Doctor.WhatIf;

/// <summary>
/// <c>teardown whatif</c>: each finding's future under changed settings, computed by the model. For every
/// finding the model is seeded with its longest-lived socket (the finding's <see cref="Finding.Seeds"/>) and
/// run forward twice from the same instant, once under the settings in effect and once with the change;
/// and a new socket of the same kind is run from its start under both. The words say why, in the kernel's
/// terms, and what would help when the change cannot.
/// </summary>
public static class WhatIfAnalysis
{
    /// <summary>Answers for every finding of <paramref name="report"/>, numbered from <paramref name="firstNumber"/>.</summary>
    public static WhatIfReport Analyze(DoctorReport report, DoctorInput input, SettingChange change, int firstNumber = 1)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(change);
        var settings = ModelSettings.From(input.Settings);
        var effective = Effective(change, report, settings);
        var answers = new List<WhatIfAnswer>();
        int n = firstNumber;
        foreach (var finding in report.Findings)
        {
            answers.Add(Answer(n++, finding, settings, change, effective));
        }

        return new WhatIfReport(change, answers, PortForecast(report, settings, change));
    }

    private static WhatIfAnswer Answer(int number, Finding finding, KernelSettings settings, SettingChange change, SettingChange effective)
    {
        var notes = new List<string>();
        if (finding.Seeds.Count == 0)
        {
            notes.Add($"not modelled: the model has no story for {finding.Class.Id()}; nothing is claimed");
            return new WhatIfAnswer(number, finding, null, null, notes);
        }

        bool peerShares = finding.PairedOnHost > 0 && finding.PairedOnHost == finding.Count;
        var reach = Reach(finding, change, notes);
        var seed = finding.Seeds[0];
        var existing = new Comparison(ModelForecaster.Existing(seed, settings), ModelForecaster.Existing(seed, settings, reach, peerShares));
        var fresh = new Comparison(ModelForecaster.Fresh(seed, settings), ModelForecaster.Fresh(seed, settings, FreshReach(finding, effective), peerShares));
        if (peerShares && change.Sysctls.Count > 0) notes.Add("the other end lives on this host too: the sysctls apply to it as well");
        Explain(finding, existing, fresh, notes);
        return new WhatIfAnswer(number, finding, existing, fresh, notes);
    }

    // Socket options reach only descriptors the named process holds; orphans have none.
    private static SettingChange Reach(Finding finding, SettingChange change, List<string> notes)
    {
        if (change.SocketOptions.Count == 0) return change;
        bool orphan = finding.Owner is null;
        if (orphan)
        {
            notes.Add("socket options cannot reach these sockets: no process holds them (orphans); set on the sockets before close(), they apply to new ones");
            return change with { SocketOptions = [] };
        }

        if (change.Pid is int pid && finding.Owner?.Pid != pid)
        {
            notes.Add($"socket options are for pid {pid}; these sockets belong to pid {finding.Owner!.Pid}");
            return change with { SocketOptions = [] };
        }

        return change;
    }

    // New sockets: options apply when the process that will close them sets them (for orphans, the process is unknown: assumed).
    private static SettingChange FreshReach(Finding finding, SettingChange change) =>
        change.Pid is int pid && finding.Owner is { } owner && owner.Pid != pid ? change with { SocketOptions = [] } : change;

    /// <summary>
    /// Table limits act on what is already there: with more timewait sockets (or orphans) than the new limit,
    /// a new one is refused at once. The model's fresh run cannot hold thousands of sockets, so a full table is
    /// played as a limit of zero (net/ipv4/tcp_minisocks.c:tcp_time_wait; net/ipv4/tcp.c:tcp_check_oom).
    /// </summary>
    private static SettingChange Effective(SettingChange change, DoctorReport report, KernelSettings settings)
    {
        int timewait = Count(report, SocketClass.TimeWait) + Count(report, SocketClass.FinWait2Orphaned);
        int orphans = Count(report, SocketClass.FinWait1Orphaned) + Count(report, SocketClass.LastAckOrphaned) + Count(report, SocketClass.ClosingOrphaned)
            + Count(report, SocketClass.FinWait2Orphaned);
        var sysctls = change.Sysctls.Select(s => Leaf(s.Key) switch
        {
            "tcp_max_tw_buckets" when int.TryParse(s.Value, CultureInfo.InvariantCulture, out int limit) && timewait >= limit => new KeyValuePair<string, string>(s.Key, "0"),
            "tcp_max_orphans" when int.TryParse(s.Value, CultureInfo.InvariantCulture, out int limit) && orphans >= limit => new KeyValuePair<string, string>(s.Key, "0"),
            _ => s,
        }).ToList();
        return change with { Sysctls = sysctls };
    }

    private static int Count(DoctorReport report, SocketClass c) => report.ClassCounts.TryGetValue(c, out int n) ? n : 0;

    private static string Leaf(string key) => key[(key.LastIndexOf('.') + 1)..];

    private static void Explain(Finding finding, Comparison existing, Comparison fresh, List<string> notes)
    {
        if (existing.Effect == Effect.None)
        {
            notes.Add(NoEffectBecause(finding.Class, existing.Before));
        }

        if (existing.After.PeerSees != existing.Before.PeerSees)
        {
            notes.Add($"side effect: the peer now gets {PeerText(existing.After.PeerSees)} instead of {PeerText(existing.Before.PeerSees)}" +
                (existing.After.PeerSees == PeerSees.Rst ? " — its next read or write fails with ECONNRESET, a request in flight is lost" : ""));
        }

        foreach (var (mib, delta) in existing.After.Counters)
        {
            if (mib.ToString().StartsWith("TCPAbort", StringComparison.Ordinal) && !existing.Before.Counters.ContainsKey(mib))
            {
                notes.Add($"side effect: counted as TcpExt.{mib} (+{delta}) — an abort, not a clean close");
            }
        }

        if (existing.After.EndedBy is { } cause && existing.Effect is not Effect.None) notes.Add($"how it ends with the change: {cause}");
        if (existing.After.DescriptorHeld) notes.Add("the connection ends, but the application still holds its descriptor: only its close() frees the fd");
        if (fresh.Effect != Effect.None && existing.Effect == Effect.None)
        {
            notes.Add($"new sockets of this kind: {EffectNames.When(fresh.Before)} → {EffectNames.When(fresh.After)} from the call that makes them");
        }

        foreach (var (mib, delta) in fresh.After.Counters)
        {
            if (mib is Mib.TCPTimeWaitOverflow && !fresh.Before.Counters.ContainsKey(mib))
            {
                notes.Add($"new sockets: counted as TcpExt.{mib} (+{delta}) — closed without a timewait socket, so nothing guards " +
                    "the port against a late segment of the old connection (net/ipv4/tcp_minisocks.c:tcp_time_wait)");
            }
            else if (mib.ToString().StartsWith("TCPAbort", StringComparison.Ordinal) && !fresh.Before.Counters.ContainsKey(mib))
            {
                notes.Add($"new sockets: counted as TcpExt.{mib} (+{delta}) — an abort, not a clean close");
            }
        }

        if (fresh.After.PeerSees != fresh.Before.PeerSees)
        {
            notes.Add($"new sockets: the peer gets {PeerText(fresh.After.PeerSees)} instead of {PeerText(fresh.Before.PeerSees)}");
        }
    }

    private static string NoEffectBecause(SocketClass c, Outcome before) => c switch
    {
        SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData =>
            "no effect — CLOSE_WAIT has no timer (net/ipv4/tcp_input.c:tcp_fin arms none): only the application's close(), " +
            "a release (teardown release), keepalive with a dead peer, or the process's exit ends it",
        SocketClass.CloseWaitNeverAccepted =>
            "no effect — an unaccepted CLOSE_WAIT waits in the accept queue until the application accepts and closes it or closes the listener " +
            "(net/ipv4/inet_connection_sock.c:inet_csk_listen_stop)",
        SocketClass.FinWait2HalfClosed =>
            "no effect — a half-closed FIN_WAIT2 still has its descriptor and no timer (net/ipv4/tcp.c:__tcp_close arms the FIN_WAIT2 timer only for orphans): " +
            "tcp_fin_timeout and TCP_LINGER2 apply only after close(); only the peer's FIN or the application's close() ends it",
        SocketClass.FinWait2Orphaned when !before.Never =>
            "no effect on these — each keeps the timer it was given when it became a timewait socket (net/ipv4/tcp_minisocks.c:tcp_time_wait); " +
            "tcp_fin_timeout or TCP_LINGER2 act on sockets orphaned from now on",
        SocketClass.TimeWait =>
            "no effect — TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s, a constant, not tcp_fin_timeout (net/ipv4/tcp_minisocks.c:tcp_time_wait); " +
            "for a client short of ports: tcp_tw_reuse, a wider ip_local_port_range, or reusing connections",
        SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned =>
            "no effect — these retransmit until tcp_orphan_retries (0 means 8) unanswered retransmissions (net/ipv4/tcp_timer.c:tcp_orphan_retries), " +
            "read each time the timer fires; teardown kill ends them now",
        _ => "no effect",
    };

    private static string PeerText(PeerSees p) => p switch
    {
        PeerSees.Rst => "a RST",
        PeerSees.Fin => "our FIN",
        _ => "nothing",
    };

    /// <summary>
    /// Ports toward each destination under a new ip_local_port_range or tcp_tw_reuse: a rule forecast
    /// (net/ipv4/inet_hashtables.c:__inet_hash_connect picks from the range; tcp_ipv4.c:tcp_twsk_unique lets
    /// connect() take over a TIME_WAIT port after 1 s when tcp_tw_reuse allows it and timestamps are on).
    /// </summary>
    private static List<string> PortForecast(DoctorReport report, KernelSettings settings, SettingChange change)
    {
        var lines = new List<string>();
        var after = change.Apply(settings);
        bool rangeChanged = after.LocalPortLow != settings.LocalPortLow || after.LocalPortHigh != settings.LocalPortHigh;
        bool reuseChanged = after.TcpTwReuse != settings.TcpTwReuse;
        if (!rangeChanged && !reuseChanged) return lines;
        int before = settings.LocalPortHigh - settings.LocalPortLow + 1, now = after.LocalPortHigh - after.LocalPortLow + 1;
        foreach (var p in report.PortUsage)
        {
            string line = $"{p.Destination}: {p.InUse} ports in use";
            if (rangeChanged) line += $"; left {Math.Max(0, before - p.InUse)} → {Math.Max(0, now - p.InUse)} of ip_local_port_range ({before} → {now} ports)";
            if (reuseChanged)
            {
                line += after.TcpTwReuse switch
                {
                    1 => $"; tcp_tw_reuse=1: connect() may take over the {p.TimeWait} TIME_WAIT ports older than 1 s (timestamps on)",
                    2 => "; tcp_tw_reuse=2: reuse only toward loopback",
                    _ => "; tcp_tw_reuse=0: TIME_WAIT ports stay taken for their 60 s",
                };
            }

            lines.Add(line);
        }

        return lines;
    }
}
