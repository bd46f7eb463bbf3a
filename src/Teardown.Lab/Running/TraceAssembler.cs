using System.Globalization;
using System.Net;
using Teardown.Lab.Observation;
using Teardown.Lab.Wire;
using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Running;

/// <summary>
/// Turns what a run recorded — calls, observations, tracepoint events, sock_diag polls, wire packets,
/// counters — into one <see cref="ScenarioTrace"/> in time order, naming connection ends after the
/// scenario's sockets wherever the 4-tuple is known.
/// </summary>
internal sealed class TraceAssembler(Scenario scenario, LabSession session, EndRegistry ends, long t0, IReadOnlyList<(string Host, long FromNs, long ToNs)> crashes)
{
    private readonly List<(long Ns, int Order, TraceEntry Entry)> _out = [];
    private int _order;

    public ScenarioTrace Assemble(IEnumerable<TraceEntry> recorded)
    {
        var calls = new List<CallTraced>();
        foreach (TraceEntry e in recorded)
        {
            Add(Ns(e.At), e);
            if (e is CallTraced c) calls.Add(c);
        }

        AddMethodNote();
        AddTransitions(calls);
        AddSegments();
        AddTimers();
        AddCounters();
        var trace = new ScenarioTrace(scenario, TargetKind.Kernel);
        foreach (var e in _out.OrderBy(e => e.Ns).ThenBy(e => e.Order)) trace.Add(e.Entry);
        return trace;
    }

    /// <summary>The scenario host at an address (even while it is crashed and off the wire), else the address.</summary>
    private string HostAt(System.Net.IPAddress address) =>
        scenario.Hosts.FirstOrDefault(h => h.Address.Equals(address))?.Name ?? address.ToString();

    private void AddMethodNote()
    {
        LabContext c = session.Context;
        string how = session.Tracer is not null
            ? $"transitions of full sockets from tracepoint sock:inet_sock_set_state; timewait sockets by polling sock_diag every {Ms(session)} ms"
            : $"transitions by polling sock_diag every {Ms(session)} ms ({session.TracerUnavailable})";
        var carried = session.Context.Wire.Captured.Where(p => p.DeliveredNs > 0).Select(p => (p.DeliveredNs - p.DueNs) / 1000.0).OrderBy(x => x).ToList();
        if (carried.Count > 0)
        {
            Add(MonotonicClock.NowNs(), new NoteTraced(At(MonotonicClock.NowNs()), string.Create(CultureInfo.InvariantCulture,
                $"wire: {carried.Count} packets delivered, {carried[carried.Count / 2]:F0} µs median and {carried[^1]:F0} µs max beyond the link delay; lab setup took {session.SetupTime.TotalMilliseconds:F0} ms")));
        }

        Add(t0, new NoteTraced(TimeSpan.Zero, $"kernel run {c.RunId}: one namespace per host ({string.Join(", ", session.Hosts.Values.Select(h => h.Name + "=" + h.Namespace))}), ephemeral ports {c.PortLow}-{c.PortHigh}; {how}"));
    }

    private static string Ms(LabSession s) => s.PollInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture);

    private void AddTransitions(List<CallTraced> calls)
    {
        IReadOnlyList<PolledChange> polled = session.Poller?.Changes ?? [];
        var consumed = new HashSet<PolledChange>();
        var transitions = new List<(long Ns, string Host, string End, TcpState? From, TcpState? To, string Cause)>();

        if (session.Tracer is not null)
        {
            List<StateEvent> events = session.Tracer.Events.Where(e => e.TimestampNs >= t0 - 50_000_000).OrderBy(e => e.TimestampNs).ToList();
            Dictionary<StateEvent, (string Host, string End)?> bySocket = AttributeBySocket(events, calls);
            foreach (StateEvent e in events)
            {
                (string Host, string End)? who = bySocket.TryGetValue(e, out var known) ? known : Attribute(e, calls, allowUnnamed: true);
                if (who is null) continue;
                TcpState? to = e.NewState;
                string cause = "tracepoint inet_sock_set_state";
                if (e.NewState == TcpState.Close)
                {
                    // tcp_minisocks.c:tcp_time_wait hands the connection to a timewait socket, then tcp_done
                    // moves the full socket to CLOSE: the end itself enters the timewait substate.
                    PolledChange? tw = polled.FirstOrDefault(p => p.Timewait && p.State is not null && p.Old is null or not TcpState.TimeWait &&
                        p.Host == who.Value.Host && p.Local.Equals(e.Source) && p.Remote.Equals(e.Destination) &&
                        p.TimestampNs >= e.TimestampNs - 2_000_000 && p.TimestampNs <= e.TimestampNs + 200_000_000 && !consumed.Contains(p));
                    if (tw is not null)
                    {
                        consumed.Add(tw);
                        to = tw.State;
                        cause = "tcp_time_wait (tracepoint; substate from sock_diag)";
                    }
                }

                if (to == TcpState.Close && IsOrphan(who.Value.Host, who.Value.End, e.TimestampNs, calls))
                {
                    // tcp.c:tcp_done destroys an orphan at once: nothing is left for this end.
                    to = null;
                    cause = "tcp_done on an orphan (tracepoint inet_sock_set_state)";
                }

                transitions.Add((e.TimestampNs, who.Value.Host, who.Value.End, e.OldState, to, cause));
            }
        }

        foreach (PolledChange p in polled.OrderBy(p => p.TimestampNs))
        {
            if (consumed.Contains(p) || p.TimestampNs < t0) continue;
            if (session.Tracer is not null && !p.Timewait) continue;
            string end = NameOf(p.Host, p.Local, p.Remote);
            if (p.Timewait && p.State is null && p.Old is not null && !IsOrphan(p.Host, end, p.TimestampNs, calls) && ends.Get(end) is not null)
            {
                // The timewait socket carried the end while a descriptor still held the full socket, in CLOSE since
                // tcp_time_wait (tcp_done): when the timewait socket goes, the end is that CLOSE socket again, not
                // gone — as the lab's own observation of it says (fuzz seed 30000037), and as the model has it.
                transitions.Add((p.TimestampNs, p.Host, end, p.Old, TcpState.Close, "timewait socket expired (sock_diag poll); the descriptor still holds the socket in CLOSE"));
                continue;
            }

            transitions.Add((p.TimestampNs, p.Host, end, p.Old, p.State, p.Timewait ? "timewait socket (sock_diag poll)" : "sock_diag poll"));
        }

        // A held socket that reached CLOSE (after a reset, a refused connect, SOCK_DESTROY) is released — no tracepoint
        // fires, the state does not change — by close() of its descriptor, and by its process's exit (kill) or its
        // host's crash for every such socket the host still held: then it is GONE. In time order, so that a socket
        // released by a kill is not released again by a later close() (which fails with EBADF). Fuzz seeds 20261210,
        // 20261245, 20261237.
        var releases = calls.Where(c => c.Line.Statement is CloseCall)
            .Select(c => (c.Host, Socket: (string?)((CloseCall)c.Line.Statement).Socket, Ns: Ns(c.At), Until: Ns(c.Returned), Why: "close() released the CLOSE socket"))
            .Concat(calls.Where(c => c.Line.Statement is KillCall)
                .Select(c => (c.Host, Socket: (string?)null, Ns: Ns(c.At), Until: Ns(c.Returned), Why: "the process's exit (kill) released the CLOSE socket")))
            .Concat(crashes.Select(c => (c.Host, Socket: (string?)null, Ns: c.FromNs, Until: c.FromNs, Why: "the crash released the CLOSE socket")))
            .OrderBy(r => r.Ns).ToList();
        foreach (var r in releases)
        {
            List<string> held = r.Socket is { } one
                ? [one]
                : transitions.Where(t => t.Host == r.Host && t.Ns <= r.Ns).Select(t => t.End).Distinct(StringComparer.Ordinal).ToList();
            foreach (string name in held)
            {
                var before = transitions.Where(t => t.End == name && t.Ns <= r.Ns).OrderBy(t => t.Ns).LastOrDefault();
                if (before.End is not null && before.To == TcpState.Close && !transitions.Any(t => t.End == name && t.Ns > r.Ns))
                {
                    transitions.Add((r.Until, r.Host, name, TcpState.Close, null, r.Why));
                }
            }
        }

        foreach (var t in transitions)
        {
            // A full socket handed to a timewait socket of the same substate (tcp_time_wait from FIN_WAIT2),
            // or tcp_close_state re-setting FIN_WAIT2, changes the kernel object, not the end's state.
            if (t.From == t.To) continue;

            // While a crash destroys a host's kernel state (after it left the wire) the kernel still reports
            // its sockets closing; say so, since none of it can be seen from the network.
            string cause = crashes.Any(c => c.Host == t.Host && t.Ns >= c.FromNs && t.Ns <= c.ToNs + 5_000_000 && CreatedBefore(t.End, c.FromNs))
                ? "destroyed by crash (host already off the wire): " + t.Cause
                : t.Cause;
            Add(t.Ns, new TransitionTraced(At(t.Ns), t.Host, t.End, t.From, t.To, cause));
        }
    }

    /// <summary>True when the host no longer held a descriptor for the end: closed or its process killed before <paramref name="ns"/>.</summary>
    /// <remarks>A kill orphans the ends its process held, not those the host's next process makes (fuzz seed 32100888: a
    /// refused connect after a kill traced GONE where the descriptor still held it in CLOSE).</remarks>
    private bool IsOrphan(string host, string end, long ns, List<CallTraced> calls) =>
        calls.Any(c => Ns(c.At) <= ns && ((c.Line.Statement is CloseCall cc && cc.Socket == end) || (c.Line.Statement is KillCall && c.Host == host && CreatedBefore(end, Ns(c.At)))))
        || crashes.Any(c => c.Host == host && c.FromNs <= ns && CreatedBefore(end, c.FromNs));

    /// <summary>Whether the end existed before <paramref name="ns"/>: a crash orphans its host's ends of that boot, not those a reboot's fresh kernel makes.</summary>
    private bool CreatedBefore(string end, long ns) => ends.Get(end) is not { CreatedNs: > 0 } known || known.CreatedNs < ns;

    /// <summary>
    /// Names every event of a socket (same skaddr, from its first event until it enters CLOSE, after which the
    /// memory may serve another socket) after the best-founded attribution among its events: a 4-tuple the
    /// run knows, else the call that made it (a connect's SYN_SENT, which has no source port yet; a
    /// listener's listen), else a 4-tuple only seen on the wire. Several connects at one instant, or a connect
    /// that failed before its port was known, are then told apart.
    /// </summary>
    /// <returns>per event of a known socket, its end, or null when the socket is another run's</returns>
    private Dictionary<StateEvent, (string Host, string End)?> AttributeBySocket(List<StateEvent> events, List<CallTraced> calls)
    {
        LabContext ctx = session.Context;
        var listenPorts = ends.All.Where(k => k.Role == SocketRole.Listener && k.Local is not null).Select(k => k.Local!.Port).ToHashSet();
        bool OurSourcePort(int port) => port == 0 || (port >= ctx.PortLow && port <= ctx.PortHigh) || listenPorts.Contains(port);

        var lifetimes = new List<List<StateEvent>>();
        var open = new Dictionary<ulong, List<StateEvent>>();
        foreach (StateEvent e in events)
        {
            if (e.Socket == 0) continue;
            if (!open.TryGetValue(e.Socket, out List<StateEvent>? life))
            {
                life = [];
                open[e.Socket] = life;
                lifetimes.Add(life);
            }

            life.Add(e);
            if (e.NewState == TcpState.Close) open.Remove(e.Socket);
        }

        var named = new Dictionary<StateEvent, (string Host, string End)?>(ReferenceEqualityComparer.Instance);
        foreach (List<StateEvent> life in lifetimes)
        {
            // Parallel runs share addresses and listening ports, not ephemeral windows: a socket whose source
            // port lies outside this run's window (and is none of its listening ports) is another run's.
            if (!life.All(e => OurSourcePort(e.Source.Port)) || IsAnotherRunsListener(life))
            {
                foreach (StateEvent e in life) named[e] = null;
                continue;
            }

            (string Host, string End)? who =
                life.Where(e => e.Source.Port != 0 && !e.Source.Address.Equals(IPAddress.Any)).Select(e => Attribute(e, calls, allowUnnamed: false)).FirstOrDefault(w => w is not null)
                ?? life.Select(e => Attribute(e, calls, allowUnnamed: false)).FirstOrDefault(w => w is not null)
                ?? life.Select(e => Attribute(e, calls, allowUnnamed: true)).FirstOrDefault(w => w is not null);
            if (who is null) continue;
            foreach (StateEvent e in life) named[e] = who;
        }

        return named;
    }

    /// <summary>
    /// Whether a listening socket's events are another run's. Parallel runs give their hosts the same addresses
    /// and listen on the same ports, so a listener's 4-tuple (192.0.2.1:8080, or 0.0.0.0:8080) names no run; its
    /// sock does. A listener of this run entered LISTEN inside one of this run's listen() calls, and every event of
    /// that sock is this run's; a listener whose LISTEN came at another time — or before the trace began, which no
    /// listener of this run's timeline can — is another run's, also when it closes while this run's is open
    /// (fuzz seed 30000448 at --jobs 3: "L1: LISTEN → CLOSE" in the middle of a run that never closed L1).
    /// </summary>
    private bool IsAnotherRunsListener(List<StateEvent> life)
    {
        // A child of a listener starts LISTEN → SYN_RECV (it is cloned from the listener): not a listening socket.
        bool listening = life.Any(e => e.NewState == TcpState.Listen) || life[0] is { OldState: TcpState.Listen, NewState: TcpState.Close };
        if (!listening) return false;
        return !life.Any(e => e.NewState == TcpState.Listen && ends.All.Any(k =>
            k.Role == SocketRole.Listener && k.Local?.Port == e.Source.Port && InsideListenCall(e, k)));
    }

    /// <summary>
    /// Whether a LISTEN event fell inside listener <paramref name="k"/>'s listen call: inet_connection_sock.c:
    /// inet_csk_listen_start stores TCP_LISTEN (and the tracepoint fires) within the listen(2) the agent timed, and the
    /// trace's clock is the agent's (mono). Only <see cref="ListenSlackNs"/> of slack: a listen takes tens of
    /// microseconds, and every microsecond more is a chance for another run's listen on the same port to fall inside
    /// (fuzz seed 32000167 at --jobs 10, with 2 ms of slack, once in 200 runs).
    /// </summary>
    private static bool InsideListenCall(StateEvent e, KnownEnd k) =>
        k.CreatedEndNs != 0 && e.TimestampNs >= k.CreatedNs - ListenSlackNs && e.TimestampNs <= k.CreatedEndNs + ListenSlackNs;

    /// <summary>How far outside the timed listen call its LISTEN event may fall (the fast mono clock of the trace against clock_gettime).</summary>
    private const long ListenSlackNs = 50_000;

    /// <summary>Which host and end a tracepoint event belongs to; null when it is not this run's.</summary>
    /// <param name="allowUnnamed">whether a 4-tuple the run never named, but which its wire carried, counts (named by the tuple)</param>
    private (string Host, string End)? Attribute(StateEvent e, List<CallTraced> calls, bool allowUnnamed)
    {
        if (e.Source.Address.Equals(IPAddress.Any))
        {
            // A listener bound to 0.0.0.0 has no address to tell runs apart (parallel runs listen on the
            // same port): accept the event only inside the call that made it — the listen, or the close /
            // kill / crash that ended it.
            bool Within(long from, long to) => e.TimestampNs >= from && e.TimestampNs <= to + 2_000_000;
            KnownEnd? l = ends.All.FirstOrDefault(k => k.Role == SocketRole.Listener && k.Local?.Port == e.Source.Port &&
                (e.NewState == TcpState.Listen
                    ? InsideListenCall(e, k)
                    : calls.Any(c => Within(Ns(c.At), Ns(c.Returned)) && ((c.Line.Statement is CloseCall cc && cc.Socket == k.Name) || (c.Line.Statement is KillCall && c.Host == k.Host)))
                      || crashes.Any(c => c.Host == k.Host && Within(c.FromNs, c.ToNs))));
            return l is null ? null : (l.Host, l.Name);
        }

        LabHost? host = session.Hosts.Values.FirstOrDefault(h => h.Address.Equals(e.Source.Address));
        if (host is null) return null;
        if (e.Source.Port == 0)
        {
            // tcp_ipv4.c:tcp_v4_connect sets SYN_SENT before inet_hash_connect picks the port: match the connect call.
            KnownEnd? c = ends.All.FirstOrDefault(k => k.Role == SocketRole.Connector && k.Host == host.Name && e.Destination.Equals(k.Remote) &&
                k.CreatedNs <= e.TimestampNs && (k.CreatedEndNs == 0 || e.TimestampNs <= k.CreatedEndNs + 1_000_000)); // 0: never returned (killed)
            return c is null ? null : (c.Host, c.Name);
        }

        string? name = ends.NameOf(host.Name, e.Source, e.Destination);
        if (name is not null) return (host.Name, name);
        if (!allowUnnamed) return null;

        // Unnamed but ours when the wire carried this 4-tuple (e.g. a connection nobody accepted).
        bool onWire = session.Context.Wire.Captured.Any(p => p.Segment is { } s &&
            ((s.Source.Equals(e.Source) && s.Destination.Equals(e.Destination)) || (s.Source.Equals(e.Destination) && s.Destination.Equals(e.Source))));
        return onWire ? (host.Name, Tuple(e.Source, e.Destination)) : null;
    }

    private void AddSegments()
    {
        var seq = new SequenceTracker();
        foreach (WirePacket p in session.Context.Wire.Captured)
        {
            if (p.Segment is not { } s || p.TimestampNs < t0 - 50_000_000) continue;
            (uint rs, uint ra) = seq.Relative(s);
            string end = ends.NameOf(p.From, s.Source, s.Destination)
                ?? (p.To is null ? null : ends.NameOf(p.To, s.Destination, s.Source))
                ?? Tuple(s.Source, s.Destination);
            Add(p.TimestampNs, new SegmentTraced(At(p.TimestampNs), p.From, p.To ?? HostAt(s.Destination.Address), end, s.Flags, rs, ra, s.PayloadLength, s.Window, p.Dropped));
        }
    }

    private void AddTimers()
    {
        foreach (PolledTimer t in session.Poller?.Timers ?? [])
        {
            if (t.TimestampNs < t0) continue;
            TimeSpan? expires = t.Action == TimerAction.Armed ? TimeSpan.FromMilliseconds(t.ExpiresMs) : null;
            Add(t.TimestampNs, new TimerTraced(At(t.TimestampNs), t.Host, NameOf(t.Host, t.Local, t.Remote), t.Kind, t.Action, expires));
        }
    }

    private void AddCounters()
    {
        long now = MonotonicClock.NowNs();
        foreach (LabHost h in session.Hosts.Values)
        {
            foreach (var kv in h.CountersSinceStart().Where(kv => kv.Key.Contains('.', StringComparison.Ordinal) && kv.Value != 0).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Add(now, new CounterTraced(At(now), h.Name, kv.Key[(kv.Key.IndexOf('.', StringComparison.Ordinal) + 1)..], kv.Value));
            }
        }
    }

    private string NameOf(string host, IPEndPoint local, IPEndPoint remote)
    {
        if (ends.NameOf(host, local, remote) is { } n) return n;
        if (remote.Port == 0)
        {
            KnownEnd? l = ends.All.FirstOrDefault(k => k.Role == SocketRole.Listener && k.Host == host && k.Local?.Port == local.Port);
            if (l is not null) return l.Name;
        }

        return Tuple(local, remote);
    }

    private static string Tuple(IPEndPoint a, IPEndPoint b) => string.Create(CultureInfo.InvariantCulture, $"{a}>{b}");

    private void Add(long ns, TraceEntry e) => _out.Add((ns, _order++, e));

    private long Ns(TimeSpan at) => t0 + (at.Ticks * 100);

    private TimeSpan At(long ns) => TimeSpan.FromTicks((ns - t0) / 100);
}
