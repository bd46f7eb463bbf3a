using System.Net;
using Teardown.Model;

namespace Teardown.Lab.Observation;

/// <summary>A change seen by polling sock_diag: the object carrying a 4-tuple changed or disappeared (State null).</summary>
internal sealed record PolledChange(long TimestampNs, string Host, IPEndPoint Local, IPEndPoint Remote, TcpState? Old, TcpState? State, bool Timewait);

/// <summary>A timer change seen by polling: armed (with its expiry), fired (re-armed later than it would have expired) or cancelled.</summary>
internal sealed record PolledTimer(long TimestampNs, string Host, IPEndPoint Local, IPEndPoint Remote, TimerKind Kind, Scenarios.Tracing.TimerAction Action, uint ExpiresMs);

/// <summary>
/// Polls every host's sock_diag dump at a fixed interval and reports differences. The tracepoint sees
/// only full sockets (tcp_set_state); timewait mini-sockets change substate and die without an event
/// (tcp_minisocks.c:tcp_timewait_state_process, inet_timewait_sock.c:inet_twsk_kill), so they are
/// always observed this way — and everything is when tracefs is unavailable.
/// <para>
/// A dump is not cheap: inet_diag.c:inet_diag_dump_icsk walks every bucket of the TCP established hash, which
/// namespaces share (half a million buckets on a 24 GB machine: 3–5 ms of system time per dump). Ten runs side by
/// side polling two or three hosts each every 20 ms took 0.6 of the 2-core machine's CPU. With an
/// <c>idleInterval</c> (runs side by side, with the tracepoint), the poller keeps the fast interval only while
/// something can change unseen — a timewait socket exists, or a tracepoint event came within the last
/// <see cref="BusyAfterEventNs"/> (<see cref="Nudge"/>: every full socket that becomes a timewait socket passes
/// through an event) — and polls at the idle interval otherwise. Timer changes of full sockets are then seen at the
/// idle interval's resolution in quiet stretches; runs alone always poll at the fast interval.
/// </para>
/// </summary>
internal sealed class SocketPoller : IDisposable
{
    private readonly Func<IEnumerable<(string Host, Func<IReadOnlyList<DiagSocket>> Dump)>> _hosts;
    private readonly TimeSpan _interval;
    private readonly Dictionary<(string, IPEndPoint, IPEndPoint), (TcpState State, bool Tw)> _last = [];
    private readonly List<PolledChange> _changes = [];
    private readonly List<PolledTimer> _timers = [];
    private readonly Dictionary<(string, IPEndPoint, IPEndPoint), (TimerKind Kind, long DueNs)> _lastTimer = [];
    private readonly Thread _thread;
    private readonly TimeSpan? _idleInterval;
    private readonly object _gate = new();
    private bool _woken; // under _gate: a nudge (or Stop) came since the poller last waited
    private long _lastNudgeNs;
    private volatile bool _stopping;

    /// <summary>How long after a tracepoint event the poller keeps its fast interval.</summary>
    internal const long BusyAfterEventNs = 500_000_000;

    public SocketPoller(Func<IEnumerable<(string Host, Func<IReadOnlyList<DiagSocket>> Dump)>> hosts, TimeSpan interval, TimeSpan? idleInterval = null)
    {
        _hosts = hosts;
        _interval = interval;
        _idleInterval = idleInterval;
        _lastNudgeNs = Wire.MonotonicClock.NowNs();
        _thread = new Thread(Run) { IsBackground = true, Name = "sock_diag poller" };
        _thread.Start();
    }

    /// <summary>A socket changed state (a tracepoint event): poll at the fast interval for a while, starting now.</summary>
    public void Nudge()
    {
        Volatile.Write(ref _lastNudgeNs, Wire.MonotonicClock.NowNs());
        if (_idleInterval is not null) Wake();
    }

    // A monitor, not a wait handle: the tracer's reader thread may still nudge after the poller is disposed (its
    // Stop joins with a timeout), and a disposed handle would throw there.
    private void Wake()
    {
        lock (_gate)
        {
            _woken = true;
            Monitor.Pulse(_gate);
        }
    }

    public IReadOnlyList<PolledChange> Changes
    {
        get
        {
            lock (_changes) return _changes.ToArray();
        }
    }

    /// <summary>Timer changes (resolution: the poll interval).</summary>
    public IReadOnlyList<PolledTimer> Timers
    {
        get
        {
            lock (_changes) return _timers.ToArray();
        }
    }

    /// <summary>Polls once more (the final state), then stops.</summary>
    public void Stop()
    {
        if (_stopping) return;
        _stopping = true;
        Wake();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        while (!_stopping)
        {
            bool timewait = PollOnce();
            bool busy = _idleInterval is null || timewait || Wire.MonotonicClock.NowNs() - Volatile.Read(ref _lastNudgeNs) < BusyAfterEventNs;
            if (busy) Thread.Sleep(_interval);
            else
            {
                lock (_gate)
                {
                    if (!_woken) Monitor.Wait(_gate, _idleInterval!.Value);
                    _woken = false;
                }
            }
        }

        PollOnce();
    }

    /// <returns>whether any host holds a timewait socket</returns>
    private bool PollOnce()
    {
        bool timewait = false;
        foreach ((string host, Func<IReadOnlyList<DiagSocket>> dump) in _hosts())
        {
            IReadOnlyList<DiagSocket> sockets;
            long now;
            try
            {
                sockets = dump();

                // What the dump shows held by its end, not by its start: a dump takes milliseconds on a loaded machine,
                // and a close that ran meanwhile (FIN_WAIT1, FIN_WAIT2, a timewait socket) stamped at the start put the
                // timewait substate before the tracepoint's FIN_WAIT1 ("ESTABLISHED → FIN_WAIT2 → FIN_WAIT1", side by side).
                now = Wire.MonotonicClock.NowNs();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NullReferenceException)
            {
                continue; // host crashing or rebooting right now
            }

            var seen = new HashSet<(string, IPEndPoint, IPEndPoint)>();
            foreach (DiagSocket s in sockets)
            {
                if (System.Net.IPAddress.IsLoopback(s.Local.Address)) continue; // the agent's 127.0.0.1 warm-up, not the scenario
                var key = (host, s.Local, s.Remote);
                seen.Add(key);
                TrackTimer(now, key, s);
                bool tw = s.Timer == TimerKind.Timewait;
                timewait |= tw;
                if (_last.TryGetValue(key, out var prev) && prev.State == s.State && prev.Tw == tw) continue;
                _last[key] = (s.State, tw);
                lock (_changes) _changes.Add(new PolledChange(now, host, s.Local, s.Remote, prev == default ? null : prev.State, s.State, tw));
            }

            foreach (var key in _last.Keys.Where(k => k.Item1 == host && !seen.Contains(k)).ToList())
            {
                var prev = _last[key];
                _last.Remove(key);
                _lastTimer.Remove(key);
                lock (_changes) _changes.Add(new PolledChange(now, host, key.Item2, key.Item3, prev.State, null, prev.Tw));
            }
        }

        return timewait;
    }

    private void TrackTimer(long now, (string Host, IPEndPoint Local, IPEndPoint Remote) key, DiagSocket s)
    {
        long due = now + (s.ExpiresMs * 1_000_000L);
        _lastTimer.TryGetValue(key, out var prev);
        var events = new List<PolledTimer>();
        if (prev.Kind != s.Timer && prev.Kind != TimerKind.None)
        {
            events.Add(new(now, key.Host, key.Local, key.Remote, prev.Kind, Scenarios.Tracing.TimerAction.Cancelled, 0));
        }

        if (s.Timer != TimerKind.None)
        {
            if (prev.Kind != s.Timer)
            {
                events.Add(new(now, key.Host, key.Local, key.Remote, s.Timer, Scenarios.Tracing.TimerAction.Armed, s.ExpiresMs));
            }
            else if (due > prev.DueNs + (2 * _interval.Ticks * 100) + 5_000_000)
            {
                // Later than it would have fired: it fired (or was pushed back) and was armed again.
                var action = now >= prev.DueNs ? Scenarios.Tracing.TimerAction.Fired : Scenarios.Tracing.TimerAction.Cancelled;
                events.Add(new(Math.Min(now, prev.DueNs), key.Host, key.Local, key.Remote, s.Timer, action, 0));
                events.Add(new(now, key.Host, key.Local, key.Remote, s.Timer, Scenarios.Tracing.TimerAction.Armed, s.ExpiresMs));
            }
        }

        _lastTimer[key] = (s.Timer, s.Timer == TimerKind.None ? 0 : due);
        if (events.Count > 0) lock (_changes) _timers.AddRange(events);
    }

    public void Dispose() => Stop();
}
