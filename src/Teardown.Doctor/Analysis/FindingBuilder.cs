using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Forecast;
using Teardown.Linux.Sockets;
using Teardown.Model.Rules;

namespace Teardown.Doctor.Analysis;

/// <summary>Turns one group into a finding: severity, reap time, figures, examples, words.</summary>
internal static class FindingBuilder
{
    private const string QuietOrigin = "tcp_info: min(tcpi_last_data_recv, tcpi_last_ack_recv)";

    internal static Finding? Build(GroupKey key, GroupAccumulator g, FindingContext ctx)
    {
        var owner = OwnerOf(key.Pid, ctx);
        var seeds = Seeds(key, g);
        var figures = new List<Figure>
        {
            new(FigureIds.Sockets, "sockets", g.Count, "sockets", FigureSource.Count, "sock_diag: state, Recv-Q, inode"),
        };
        Reap reap;
        Severity severity;
        switch (key.Class)
        {
            case SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData
                or SocketClass.CloseWaitNeverAccepted or SocketClass.FinWait2HalfClosed:
                AddAge(g, figures);
                if (key.Class == SocketClass.CloseWaitUnreadData)
                {
                    figures.Add(new(FigureIds.UnreadBytes, "unread bytes (Recv-Q, FIN included)", g.RecvQTotal, "bytes", FigureSource.KernelField, "inet_diag_msg.idiag_rqueue"));
                }

                double? fdFraction = AddDescriptors(owner, g, figures);
                string never = key.Class switch
                {
                    SocketClass.FinWait2HalfClosed => ReapRules.AttachedFinWait2NeverReason,
                    SocketClass.CloseWaitNeverAccepted =>
                        "never by time: an unaccepted CLOSE_WAIT lives until the application accepts and closes it or the listener " +
                        "closes (net/ipv4/inet_connection_sock.c:inet_csk_listen_stop); " + ReapRules.CloseWaitNeverReason,
                    _ when g.KeepaliveArmed > 0 => ReapRules.CloseWaitNeverReason +
                        $"; SO_KEEPALIVE is armed on {g.KeepaliveArmed} of them: a probe ends one when the peer has forgotten the connection " +
                        "(its socket reaped or its host rebooted: a RST) or does not answer at all (net/ipv4/tcp_timer.c:tcp_keepalive_timer)",
                    _ => ReapRules.CloseWaitNeverReason,
                };
                reap = seeds.Count > 0 ? ModelReap(seeds, ctx, never) : Reap.NeverBecause(never);
                severity = LeakSeverity(g.Count, fdFraction);
                if (key.Class == SocketClass.CloseWaitNeverAccepted && severity < Severity.High && g.Count >= 10)
                {
                    severity = Severity.High;
                }

                break;
            case SocketClass.FinWait2Orphaned:
                reap = OrphanFinWait2Reap(seeds, g, ctx, figures);
                severity = g.Count >= 1000 ? Severity.Low : Severity.Info;
                if (ctx.Input.Settings.TcpMaxTwBuckets is int buckets && buckets > 0)
                {
                    figures.Add(new(FigureIds.TwBucketsPct, "timewait sockets (TIME_WAIT + orphaned FIN_WAIT2) of tcp_max_tw_buckets",
                        Math.Round(100.0 * ctx.TimewaitBuckets / buckets, 1), "%", FigureSource.Sysctl, "net.ipv4.tcp_max_tw_buckets"));
                    if (ctx.TimewaitBuckets * 2 >= buckets)
                    {
                        severity = Severity.Medium;
                    }
                }

                break;
            case SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned:
                reap = RetransmitReap(seeds, g, ctx, figures);
                severity = g.Count >= 100 ? Severity.High : Severity.Medium;
                break;
            case SocketClass.TimeWait:
                if (key.Side != Side.Client)
                {
                    return null;
                }

                double fraction = ctx.PortRangeSize == 0 ? 0 : (double)g.Count / ctx.PortRangeSize;
                if (fraction < 0.10)
                {
                    return null;
                }

                figures.Add(new(FigureIds.TimeWaitPortsPct, "ephemeral ports held in TIME_WAIT toward this destination", Math.Round(100 * fraction, 1), "% of ip_local_port_range",
                    FigureSource.Sysctl, "net.ipv4.ip_local_port_range"));
                figures.Add(new(FigureIds.PortsLeft, "ports left toward this destination", Math.Max(0, ctx.PortRangeSize - g.Count), "ports", FigureSource.Estimate,
                    "range size − TIME_WAIT count (other states use ports too)"));
                if (ctx.Input.Settings.TcpMaxTwBuckets is int twMax && twMax > 0)
                {
                    figures.Add(new(FigureIds.TwBucketsPct, "timewait sockets (TIME_WAIT + orphaned FIN_WAIT2) of tcp_max_tw_buckets",
                        Math.Round(100.0 * ctx.TimewaitBuckets / twMax, 1), "%", FigureSource.Sysctl,
                        "net.ipv4.tcp_max_tw_buckets; beyond it connections close without TIME_WAIT (TCPTimeWaitOverflow)"));
                }

                reap = ModelReap(seeds, ctx,
                    "TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s (net/ipv4/tcp_minisocks.c:tcp_time_wait), seeded with the time left in idiag_expires");
                severity = fraction >= 0.95 ? Severity.Critical : fraction >= 0.8 ? Severity.High : fraction >= 0.5 ? Severity.Medium : Severity.Low;
                break;
            default:
                return null;
        }

        int? peerPid = g.PeerPids.Count == 0 ? null : g.PeerPids.MaxBy(p => p.Value).Key;
        SocketClass? peerClass = null;
        if (g.Paired > 0)
        {
            int best = 0;
            for (int c = 1; c < g.PeerClasses.Length; c++)
            {
                if (g.PeerClasses[c] > g.PeerClasses[best]) best = c;
            }

            peerClass = (SocketClass)best;
            figures.Add(new(FigureIds.PairedOnHost, "other end on this host", g.Paired, "sockets", FigureSource.Count, "same 4-tuple reversed in this namespace"));
        }

        string? remediation = RemediationCommand.For(key.Class, key.Side, owner?.Pid, key.Service);
        return new Finding
        {
            Class = key.Class,
            Severity = severity,
            Side = key.Side,
            Title = Title(key, g, owner),
            Count = g.Count,
            Owner = owner,
            Service = key.ServiceText,
            Fault = Explanations.Fault(key.Class, key.Side),
            Mechanism = g.ZeroWindowProbe * 2 > g.Count && key.Class is SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned
                ? "We closed, but our FIN has not even left: the timer is the zero-window probe (persist), which the kernel arms when nothing is in flight " +
                  "and the queue cannot be sent (net/ipv4/tcp_output.c:tcp_check_probe_timer). Either the peer advertises a zero window (it stopped reading) " +
                  "or there is no route to it (each local send failure re-arms the timer). The kernel gives up after tcp_orphan_retries unanswered probes."
                : Explanations.Mechanism(key.Class, key.Side),
            Fix = Explanations.Fix(key.Class, key.Side, peerOnHost: g.Paired == g.Count, remediation),
            Remediation = remediation,
            Reap = reap,
            Seeds = seeds,
            Figures = figures,
            Examples = Examples(g, ctx),
            PairedOnHost = g.Paired,
            PeerClass = peerClass,
            PeerPid = peerPid,
        };
    }

    private static string Title(GroupKey key, GroupAccumulator g, OwnerSummary? owner)
    {
        string who = owner is not null ? owner.Display
            : key.Class is SocketClass.CloseWaitNeverAccepted ? "not yet accepted" : "no process (kernel-owned)";
        string side = key.Side switch { Side.Server => "our server", Side.Client => "our client", _ => "unknown side" };
        return $"{g.Count} × {Explanations.Headline(key.Class)} — {who}, {side}, {key.ServiceText}";
    }

    private static OwnerSummary? OwnerOf(int pid, FindingContext ctx)
    {
        if (pid == 0)
        {
            return null;
        }

        if (!ctx.Input.Processes.TryGetValue(pid, out var p))
        {
            return new OwnerSummary(pid, null, null, null, 0, null);
        }

        long? limit = p.NoFileLimit?.Soft;
        return new OwnerSummary(pid, p.Comm, p.Executable, p.CgroupPath, p.FdCount, limit);
    }

    private static void AddAge(GroupAccumulator g, List<Figure> figures)
    {
        if (g.WithTcpInfo == 0)
        {
            return;
        }

        figures.Add(new(FigureIds.OldestQuietS, "oldest: quiet since the last segment received (≈ age: the FIN was the last segment)",
            Math.Round(g.QuietMaxMs / 1000.0, 1), "s", FigureSource.KernelField, QuietOrigin));
        figures.Add(new(FigureIds.NewestQuietS, "newest: quiet since the last segment received", Math.Round(g.QuietMinMs / 1000.0, 1), "s", FigureSource.KernelField, QuietOrigin));
        if (g.QuietMaxMs >= 1000 && g.Count >= 2)
        {
            figures.Add(new(FigureIds.AccumulationPerMin, "accumulation rate (sockets over the oldest age)", Math.Round(g.Count / (g.QuietMaxMs / 60000.0), 1), "sockets/min",
                FigureSource.Estimate, "count ÷ oldest quiet time; assumes a steady leak since the oldest one"));
        }
    }

    // Returns the fraction of the owner's descriptor limit in use, when known.
    private static double? AddDescriptors(OwnerSummary? owner, GroupAccumulator g, List<Figure> figures)
    {
        if (owner is null || owner.FdCount == 0)
        {
            return null;
        }

        figures.Add(new(FigureIds.OwnerFds, "owner's open descriptors", owner.FdCount, "fds", FigureSource.Proc, $"/proc/{owner.Pid}/fd"));
        if (owner.FdLimit is not long limit || limit <= 0)
        {
            return null;
        }

        figures.Add(new(FigureIds.OwnerFdLimit, "owner's descriptor limit (soft RLIMIT_NOFILE)", limit, "fds", FigureSource.Proc, $"/proc/{owner.Pid}/limits"));
        if (g.WithTcpInfo > 0 && g.QuietMaxMs >= 1000 && g.Count >= 2)
        {
            double perSecond = g.Count / (g.QuietMaxMs / 1000.0);
            double left = Math.Max(0, limit - owner.FdCount);
            figures.Add(new(FigureIds.FdExhaustionMin, "descriptor exhaustion at this leak rate", Math.Round(left / perSecond / 60.0, 1), "min", FigureSource.Estimate,
                "(limit − open fds) ÷ accumulation rate; `teardown watch` measures the rate directly"));
        }

        return (double)owner.FdCount / limit;
    }

    private static Severity LeakSeverity(int count, double? fdFraction) =>
        fdFraction >= 0.8 || count >= 1000 ? Severity.Critical
        : fdFraction >= 0.5 || count >= 100 ? Severity.High
        : count >= 10 ? Severity.Medium
        : Severity.Low;

    /// <summary>
    /// The observed ends the model is seeded from: the socket expected to last longest (most time left, fewest
    /// retransmissions), then the one expected to go first. Timewait mini-sockets carry no tcp_info, so the
    /// RTO is the largest seen on a full socket of the group.
    /// </summary>
    private static List<ObservedEnd> Seeds(GroupKey key, GroupAccumulator g)
    {
        if (!ModelForecaster.Supports(key.Class) || g.Count == 0) return [];
        TimeSpan? rto = g.RtoMaxUs > 0 ? TimeSpan.FromMicroseconds(g.RtoMaxUs) : null;
        TimeSpan? quiet = g.WithTcpInfo > 0 ? TimeSpan.FromMilliseconds(g.QuietMaxMs) : null;
        int retransMin = g.RetransMin == byte.MaxValue ? 0 : g.RetransMin;
        var (longTimer, longLeft, shortTimer, shortLeft) = key.Class switch
        {
            // Orphans still on the keepalive timer outlive the timewait ones (a second stage follows).
            SocketClass.FinWait2Orphaned when g.KeepaliveArmed > 0 => (TimerKind.Keepalive, g.KeepaliveMaxMs,
                g.TimewaitTimer > 0 ? TimerKind.Timewait : TimerKind.Keepalive, g.TimewaitTimer > 0 ? g.TimerMinMs : g.KeepaliveMinMs),
            SocketClass.FinWait2Orphaned or SocketClass.TimeWait => (TimerKind.Timewait, g.TimerMaxMs, TimerKind.Timewait, g.TimerMinMs),
            SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned =>
                (TimerKind.Retransmit, g.TimerMaxMs, TimerKind.Retransmit, g.TimerMinMs),
            _ when g.KeepaliveArmed > 0 => (TimerKind.Keepalive, g.KeepaliveMaxMs, TimerKind.Keepalive, g.KeepaliveMinMs),
            _ => (TimerKind.None, 0u, TimerKind.None, 0u),
        };
        // No socket of the group had a timer armed (e.g. read from /proc/net/tcp without one): nothing to align on.
        bool anyTimer = g.TimerMinMs != uint.MaxValue;
        TimeSpan? Left(TimerKind kind, uint ms) => kind == TimerKind.None || ms == uint.MaxValue || !anyTimer ? null : TimeSpan.FromMilliseconds(ms);
        return
        [
            new ObservedEnd(key.Class, key.Side, longTimer, Left(longTimer, longLeft), retransMin, rto, quiet),
            new ObservedEnd(key.Class, key.Side, shortTimer, Left(shortTimer, shortLeft), g.RetransMax, rto, quiet),
        ];
    }

    /// <summary>
    /// When the kernel frees the group: the model, seeded with its longest- and shortest-lived sockets and run
    /// forward under the host's settings. The same computation answers <c>teardown whatif</c>.
    /// </summary>
    private static Reap ModelReap(List<ObservedEnd> seeds, FindingContext ctx, string rule)
    {
        var latest = ModelForecaster.Existing(seeds[0], ctx.ModelSettings);
        var earliest = ModelForecaster.Existing(seeds[1], ctx.ModelSettings);
        if (latest.Never)
        {
            return new Reap(true, null, null, FigureSource.ModelRun, rule);
        }

        var first = earliest.ReapedAfter ?? latest.ReapedAfter;
        string how = latest.EndedBy is { } cause ? $"; the last ends by: {cause}" : "";
        return new Reap(false, latest.ReapedAfter, first < latest.ReapedAfter ? first : latest.ReapedAfter, FigureSource.ModelRun,
            $"the model seeded with these sockets' timers and retransmissions, run forward under this host's settings: {rule}{how}");
    }

    private static Reap OrphanFinWait2Reap(List<ObservedEnd> seeds, GroupAccumulator g, FindingContext ctx, List<Figure> figures)
    {
        var life = ModelForecaster.Fresh(seeds[0] with { Timer = TimerKind.None, TimerLeft = null }, ctx.ModelSettings);
        if (life.ReapedAfter is TimeSpan lifetime)
        {
            figures.Add(new(FigureIds.OrphanLifetimeS, "orphan FIN_WAIT2 lifetime from close() (TCP_LINGER2 assumed unset)", Math.Round(lifetime.TotalSeconds, 1), "s", FigureSource.ModelRun,
                $"ModelForecaster.Fresh: tcp_fin_timeout={ctx.FinTimeout} s (net/ipv4/tcp.c:__tcp_close, tcp_timer.c:tcp_keepalive_timer)"));
        }

        var remainingMax = TimeSpan.FromMilliseconds(g.TimerMaxMs);
        var remainingMin = TimeSpan.FromMilliseconds(g.TimerMinMs == uint.MaxValue ? 0 : g.TimerMinMs);
        figures.Add(new(FigureIds.TimerLeftMaxS, "longest time left on the kernel timer", Math.Round(remainingMax.TotalSeconds, 1), "s", FigureSource.KernelField, "inet_diag_msg.idiag_expires"));
        if (g.KeepaliveArmed > 0)
        {
            // Full orphans on the keepalive timer become timewait sockets for a second stage when it fires.
            var second = ReapRules.TimewaitAfterKeepalive(0, ctx.FinTimeout, g.RtoMaxUs > 0 ? TimeSpan.FromMicroseconds(g.RtoMaxUs) : TimeSpan.FromMilliseconds(200));
            figures.Add(new(FigureIds.TimewaitStageS, "second (timewait) stage after the keepalive timer", second.TotalSeconds, "s", FigureSource.ModelRule, "ReapRules.TimewaitAfterKeepalive"));
            return ModelReap(seeds, ctx,
                $"{g.KeepaliveArmed} are still full sockets on the keepalive timer (tcp_fin_time > 60 s); when it fires, net/ipv4/tcp_timer.c:tcp_keepalive_timer " +
                "turns each into a timewait socket for max(X − 60 s, 3.5·RTO) with X as tcp_fin_timeout is then, 2X − 120 s in total (spec §4.2)");
        }

        if (life.ReapedAfter is TimeSpan total && g.Count > 0)
        {
            figures.Add(new(FigureIds.OldestOrphanedS, "oldest orphaned for", Math.Round(Math.Max(0, (total - remainingMin).TotalSeconds), 1), "s", FigureSource.Estimate,
                "model lifetime − smallest time left"));
        }

        return ModelReap(seeds, ctx,
            "timewait mini-sockets with sub-state FIN_WAIT2 are freed when their timer expires (net/ipv4/tcp_minisocks.c:tcp_time_wait, budget tcp_fin_time, fixed when armed)");
    }

    private static Reap RetransmitReap(List<ObservedEnd> seeds, GroupAccumulator g, FindingContext ctx, List<Figure> figures)
    {
        // The model's tcp_orphan_retries: 0 means 8 only while alive (RTO below TCP_RTO_MAX). sock_diag does not
        // show sk_err_soft, so the ICMP soft-error case cannot be told and is taken as absent.
        bool alive = g.RtoMaxUs == 0 || ReapRules.OrphanAlive(TimeSpan.FromMicroseconds(g.RtoMaxUs));
        int boundary = ReapRules.OrphanRetries(ctx.Input.Settings.TcpOrphanRetries ?? 0, alive, softError: false);
        figures.Add(new(FigureIds.RetransmissionsMax, "retransmissions so far (most)", g.RetransMax, "retransmissions", FigureSource.KernelField, "inet_diag_msg.idiag_retrans"));
        figures.Add(new(FigureIds.GiveUpAfterS, "give-up after the first retransmission", ReapRules.RetransmitGiveUp(boundary).TotalSeconds, "s", FigureSource.ModelRule,
            $"ReapRules.RetransmitGiveUp({boundary}) (net/ipv4/tcp_timer.c:tcp_orphan_retries, tcp_model_timeout)"));
        return ModelReap(seeds, ctx,
            "orphans give up after tcp_orphan_retries (0 means 8 while the RTO is below TCP_RTO_MAX) unanswered retransmissions, silently " +
            "(net/ipv4/tcp_timer.c:tcp_orphan_retries, tcp_write_timeout, tcp_write_err)");
    }

    private static List<SocketExample> Examples(GroupAccumulator g, FindingContext ctx)
    {
        var list = new List<SocketExample>(g.Examples.Count);
        foreach (int i in g.Examples)
        {
            ref readonly var s = ref ctx.Sockets.ItemRef(i);
            SocketClass? peer = ctx.Peers[i] > 0 ? ctx.Classes[ctx.Peers[i] - 1] : null;
            list.Add(new SocketExample(s.Local.ToString(), s.Remote.ToString(), s.KernelState, s.RecvQ, s.SendQ, s.Inode,
                ctx.Pids[i] != 0 ? ctx.Fds[i] : null,
                s.TcpInfoLength > 0 ? Math.Min(s.LastDataRecvMs, s.LastAckRecvMs) : null, s.TimerExpiresMs, peer, ((TimerKind)s.Timer).ToSsName(), s.Retrans));
        }

        return list;
    }
}
