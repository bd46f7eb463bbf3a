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
    private volatile bool _stopping;

    public SocketPoller(Func<IEnumerable<(string Host, Func<IReadOnlyList<DiagSocket>> Dump)>> hosts, TimeSpan interval)
    {
        _hosts = hosts;
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "sock_diag poller" };
        _thread.Start();
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
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        while (!_stopping)
        {
            PollOnce();
            Thread.Sleep(_interval);
        }

        PollOnce();
    }

    private void PollOnce()
    {
        foreach ((string host, Func<IReadOnlyList<DiagSocket>> dump) in _hosts())
        {
            IReadOnlyList<DiagSocket> sockets;
            long now = Wire.MonotonicClock.NowNs();
            try
            {
                sockets = dump();
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
