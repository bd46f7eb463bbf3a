using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Teardown.Lab.Agent;
using Teardown.Lab.Wire;
using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Running;

/// <summary>
/// Plays a scenario's timeline in real time on a <see cref="LabSession"/>: every line at its time, each
/// host's statements in order on that host's agent (a statement due while the host is blocked waits, and
/// its actual start is recorded), network events on the wire, expectations observed at their time.
/// </summary>
internal sealed class ScenarioPlayer
{
    private readonly LabSession _session;
    private readonly Scenario _scenario;
    private readonly KernelTargetOptions _options;
    private readonly EndRegistry _ends = new();
    private readonly ConcurrentBag<(long Ns, int Order, TraceEntry Entry)> _entries = [];
    private readonly Dictionary<(string, string), int> _packetCursor = [];
    private readonly EndObserver _observer;
    private readonly List<(string Host, long FromNs, long ToNs)> _crashes = [];
    private int _order;
    private long _t0;

    public ScenarioPlayer(LabSession session, Scenario scenario, KernelTargetOptions options)
    {
        _session = session;
        _scenario = scenario;
        _options = options;
        _observer = new EndObserver(session, _ends, options);
    }

    /// <summary>Runs the timeline and returns the assembled trace.</summary>
    public async Task<ScenarioTrace> RunAsync(CancellationToken ct)
    {
        // Warm the whole call path (JIT of the runner's side; the agent warms its own) before the clock
        // starts, so that the first lines are not late: an error call on a name nobody holds (EBADF).
        foreach (LabHost h in _session.Hosts.Values)
        {
            await h.Agent!.CallAsync(new AgentRequest { Op = "info", Socket = "-" }, _options.CallTimeout, ct).ConfigureAwait(false);
            var warm = new TimedLine(default, TimeSpan.Zero, null, new ErrorCall(h.Name, "\u0001warm-up"), null, "warm-up");
            await Perform(h.Name, warm, (HostStatement)warm.Statement, ct, record: false).ConfigureAwait(false);
        }

        foreach (LabHost h in _session.Hosts.Values) h.ResetCounters();
        _t0 = MonotonicClock.NowNs() + 50_000_000; // a short lead so that line 0 is not already late
        var queues = _session.Hosts.Keys.ToDictionary(h => h, _ => Channel.CreateUnbounded<(TimedLine, TaskCompletionSource)>());
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task[] workers = queues.Select(q => Task.Run(() => HostWorker(q.Key, q.Value.Reader, failed), failed.Token)).ToArray();
        var sameInstant = new List<Task>();
        TimeSpan? instant = null;
        try
        {
            foreach (TimedLine line in _scenario.Timeline)
            {
                await SleepUntil(line.At, failed.Token).ConfigureAwait(false);
                if (instant != line.At)
                {
                    instant = line.At;
                    sameInstant.Clear();
                }
                else if (sameInstant.Count > 0)
                {
                    // File order within one instant, as on the model's clock, bounded so a blocking call cannot hold others.
                    await Task.WhenAny(Task.WhenAll(sameInstant), Task.Delay(_options.SameInstantWait, failed.Token)).ConfigureAwait(false);
                }

                switch (line.Statement)
                {
                    case HostStatement hs:
                        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        sameInstant.Add(done.Task);
                        await queues[hs.Host].Writer.WriteAsync((line, done), failed.Token).ConfigureAwait(false);
                        break;
                    case NetworkStatement ns:
                        await ApplyNetwork(line, ns, failed.Token).ConfigureAwait(false);
                        break;
                    case Expectation ex:
                        await ObserveAsync(line, ex, failed.Token).ConfigureAwait(false);
                        break;
                }
            }

            foreach (var q in queues.Values) q.Writer.TryComplete();
            await Task.WhenAll(workers).ConfigureAwait(false);
            await Task.Delay(_options.Settle, failed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A host worker failed and cancelled the run: its exception is rethrown below.
        }
        finally
        {
            foreach (var q in queues.Values) q.Writer.TryComplete();
            await failed.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or LabRunException or AgentExitedException)
            {
                // The first failure is the one reported (below or by the caller).
            }
        }

        _session.StopRecording();
        foreach (Task w in workers)
        {
            if (w.IsFaulted) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(w.Exception!.InnerException!);
        }

        ct.ThrowIfCancellationRequested();

        return new TraceAssembler(_scenario, _session, _ends, _t0, _crashes).Assemble(_entries.OrderBy(e => e.Ns).ThenBy(e => e.Order).Select(e => e.Entry));
    }

    private async Task HostWorker(string host, ChannelReader<(TimedLine Line, TaskCompletionSource Done)> reader, CancellationTokenSource failed)
    {
        try
        {
            await foreach ((TimedLine line, TaskCompletionSource done) in reader.ReadAllAsync(failed.Token).ConfigureAwait(false))
            {
                await SleepUntil(line.At, failed.Token).ConfigureAwait(false);
                await Perform(host, line, (HostStatement)line.Statement, failed.Token).ConfigureAwait(false);
                done.TrySetResult();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task Perform(string hostName, TimedLine line, HostStatement st, CancellationToken ct, bool record = true)
    {
        LabHost host = _session.Hosts[hostName];
        if (st is KillCall)
        {
            long s = MonotonicClock.NowNs();
            await host.KillAgentAsync(ct).ConfigureAwait(false);
            Record(s, new CallTraced(At(s), line, hostName, At(MonotonicClock.NowNs()), CallOutcome.Ok()));
            return;
        }

        if (!host.IsUp)
        {
            long s = MonotonicClock.NowNs();
            Note(s, $"{line.Where}: {hostName} is crashed; the call was not performed");
            return;
        }

        if (host.Agent is null && host.AgentRestart is not null) await host.AgentRestart.WaitAsync(_options.AgentStartTimeout, ct).ConfigureAwait(false);
        AgentClient agent = host.Agent ?? throw new LabRunException($"{line.Where}: no agent for host {hostName}");
        (AgentRequest req, KnownEnd? creates) = BuildRequest(hostName, st);
        long sent = MonotonicClock.NowNs();
        if (creates is not null) creates.CreatedNs = sent;
        AgentResponse r;
        try
        {
            r = await agent.CallAsync(req, _options.CallTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new LabRunException($"{line.Where}: '{line.Text.Trim()}' did not return within {_options.CallTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (AgentExitedException) when (!host.IsUp || host.Agent != agent)
        {
            Note(sent, $"{line.Where}: {hostName} went down during '{line.Text.Trim()}'; it never returned");
            return;
        }
        catch (AgentExitedException e)
        {
            throw new LabRunException($"{line.Where}: the agent of host {hostName} died unexpectedly during '{line.Text.Trim()}' ({e.Message})", e);
        }

        if (creates is not null) creates.CreatedEndNs = r.EndNs;
        UpdateEndpoints(hostName, st, r);
        CallOutcome outcome = Outcome(st, r);
        if (record) Record(r.StartNs, new CallTraced(At(r.StartNs), line, hostName, At(r.EndNs), outcome));
    }

    private (AgentRequest, KnownEnd?) BuildRequest(string host, HostStatement st)
    {
        switch (st)
        {
            case ListenCall l:
                return (new AgentRequest { Op = "listen", Socket = l.Listener, Port = l.Port, N = l.Backlog ?? 0 }, _ends.Declare(l.Listener, host, SocketRole.Listener));
            case ConnectCall c:
                KnownEnd end = _ends.Declare(c.Socket, host, SocketRole.Connector);
                IPAddress peer = _scenario.Host(c.Peer).Address;
                end.Remote = new IPEndPoint(peer, c.Port);
                return (new AgentRequest { Op = "connect", Socket = c.Socket, Address = peer.ToString(), Port = c.Port }, end);
            case AcceptCall a:
                return (new AgentRequest { Op = "accept", Socket = a.Socket, Listener = a.Listener }, null);
            case SendCall s: return (new AgentRequest { Op = "send", Socket = s.Socket, N = s.Bytes }, null);
            case RecvCall r: return (new AgentRequest { Op = "recv", Socket = r.Socket, N = r.Bytes }, null);
            case ShutdownCall sh: return (new AgentRequest { Op = "shutdown", Socket = sh.Socket, N = (int)sh.How }, null);
            case CloseCall cl: return (new AgentRequest { Op = "close", Socket = cl.Socket }, null);
            case ErrorCall e: return (new AgentRequest { Op = "error", Socket = e.Socket }, null);
            case SetSockOptCall o:
                return (new AgentRequest { Op = "setsockopt", Socket = o.Socket, Option = o.Option.ToString(), On = o.On, N = o.Value }, null);
            default:
                throw new LabRunException("unsupported statement " + st.GetType().Name);
        }
    }

    private void UpdateEndpoints(string host, HostStatement st, AgentResponse r)
    {
        IPEndPoint? local = r.Local is null ? null : IPEndPoint.Parse(r.Local);
        IPEndPoint? remote = r.Remote is null ? null : IPEndPoint.Parse(r.Remote);
        switch (st)
        {
            case ListenCall l:
                _ends.Get(l.Listener)!.Local = local;
                break;
            case ConnectCall c:
                KnownEnd ce = _ends.Get(c.Socket)!;
                ce.Local = local ?? ce.Local;
                ce.Remote = remote ?? ce.Remote;
                break;
            case AcceptCall a when r.Value == 0 && r.Fault is null:
                KnownEnd ae = _ends.Declare(a.Socket, host, SocketRole.Accepted);
                ae.Local = local;
                ae.Remote = remote;
                ae.CreatedNs = r.StartNs;
                ae.CreatedEndNs = r.EndNs;
                break;
        }
    }

    private static CallOutcome Outcome(HostStatement st, AgentResponse r)
    {
        // A name the agent does not hold (closed already, or never created) is a bad descriptor.
        if (r.Fault is not null && r.Fault.StartsWith("unknown socket", StringComparison.Ordinal)) return CallOutcome.Fail(Errno.EBADF);
        if (r.Fault is not null) throw new LabRunException("agent fault: " + r.Fault);
        if (st is ErrorCall) return r.Errno == 0 ? CallOutcome.Ok() : new CallOutcome(r.Errno, (Errno)r.Errno);
        return r.Value < 0 ? CallOutcome.Fail((Errno)r.Errno) : CallOutcome.Ok(r.Value);
    }

    private async Task ApplyNetwork(TimedLine line, NetworkStatement ns, CancellationToken ct)
    {
        long s = MonotonicClock.NowNs();
        UserspaceWire wire = _session.Context.Wire;
        switch (ns)
        {
            case NetDrop d:
                wire.SetDrop(d.From, d.To, true);
                if (d.BothWays) wire.SetDrop(d.To, d.From, true);
                break;
            case NetPass p:
                wire.SetDrop(p.From, p.To, false);
                if (p.BothWays) wire.SetDrop(p.To, p.From, false);
                break;
            case NetDelay d:
                wire.SetDelay(d.A, d.B, d.Delay);
                wire.SetDelay(d.B, d.A, d.Delay);
                break;
            case CrashHost c:
                await _session.Hosts[c.Host].CrashAsync().ConfigureAwait(false);
                _crashes.Add((c.Host, s, MonotonicClock.NowNs()));
                Note(MonotonicClock.NowNs(), $"{c.Host} crashed: off the wire at once, kernel state destroyed {(MonotonicClock.NowNs() - s) / 1_000_000} ms later");
                break;
            case RebootHost r:
                LabHost h = _session.Hosts[r.Host];
                if (h.IsUp)
                {
                    await h.CrashAsync().ConfigureAwait(false);
                    _crashes.Add((r.Host, s, MonotonicClock.NowNs()));
                }

                await h.StartAsync(ct).ConfigureAwait(false);
                Note(MonotonicClock.NowNs(), $"{r.Host} rebooted as namespace {h.Namespace} (ready after {(MonotonicClock.NowNs() - s) / 1_000_000} ms)");
                break;
        }

        Record(s, new NetworkEventTraced(At(s), line));
    }

    private async Task ObserveAsync(TimedLine line, Expectation ex, CancellationToken ct)
    {
        long s = MonotonicClock.NowNs();
        Scenarios.Tracing.Observation obs = ex switch
        {
            ExpectSocket es => await _observer.ObserveAsync(es.Socket, ct).ConfigureAwait(false),
            ExpectCounter ec => new CounterObservation(_session.Hosts[ec.Host].CountersSinceStart().GetValueOrDefault(ec.Counter)),
            ExpectPackets ep => Packets(ep.From, ep.To),
            _ => throw new LabRunException("unsupported expectation " + ex.GetType().Name),
        };
        Record(s, new ObservationTraced(At(s), line, obs));
    }

    private PacketsObservation Packets(string from, string to)
    {
        IReadOnlyList<WirePacket> all = _session.Context.Wire.Captured;
        int start = _packetCursor.GetValueOrDefault((from, to));
        var flags = new List<TcpFlags>();
        for (int i = start; i < all.Count; i++)
        {
            if (all[i].From == from && all[i].To == to && all[i].Segment is { } seg) flags.Add(seg.Flags);
        }

        _packetCursor[(from, to)] = all.Count;
        return new PacketsObservation(flags);
    }

    private async Task SleepUntil(TimeSpan at, CancellationToken ct)
    {
        long due = _t0 + (at.Ticks * 100);
        long wait = due - MonotonicClock.NowNs();
        if (wait > 2_000_000) await Task.Delay(TimeSpan.FromTicks((wait - 1_500_000) / 100), ct).ConfigureAwait(false);
        while (MonotonicClock.NowNs() < due) Thread.SpinWait(50); // the last ~1.5 ms: timer slack would make us late
        ct.ThrowIfCancellationRequested();
    }

    private TimeSpan At(long ns) => TimeSpan.FromTicks((ns - _t0) / 100);

    private void Record(long ns, TraceEntry entry) => _entries.Add((ns, Interlocked.Increment(ref _order), entry));

    private void Note(long ns, string text) => Record(ns, new NoteTraced(At(ns), text));
}
