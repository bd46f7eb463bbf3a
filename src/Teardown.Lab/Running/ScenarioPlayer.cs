using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
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

    // Cancelled when the timeline has ended: a call still blocked then is recorded as such, as the model does.
    private readonly CancellationTokenSource _ended = new();
    private const long LateNs = 10_000_000;
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
            await h.Agent!.CallAsync(new AgentRequest { Op = AgentOp.Info, Socket = "-" }, _options.CallTimeout, ct).ConfigureAwait(false);
            var warm = new TimedLine(default, TimeSpan.Zero, null, new ErrorCall(h.Name, "\u0001warm-up"), null, "warm-up");
            await Perform(h.Name, warm, (HostStatement)warm.Statement, ct, record: false).ConfigureAwait(false);
        }

        foreach (LabHost h in _session.Hosts.Values) h.ResetCounters();
        _t0 = MonotonicClock.NowNs() + 200_000_000; // a lead so that the timeline threads start (and JIT) before line 0 is due

        // The timeline runs on dedicated threads with blocking waits (one dispatcher, one per host), and
        // agent replies resume their callers on the reply reader's thread: no thread-pool hop between a
        // line's time and its syscall, which under load costs milliseconds.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queues = _session.Hosts.Keys.ToDictionary(h => h, _ => new BlockingCollection<(TimedLine, TaskCompletionSource)>());
        var errors = new ConcurrentQueue<Exception>();
        Thread[] workers = queues.Select(q => new Thread(() => HostWorker(q.Key, q.Value, failed, errors)) { IsBackground = true, Name = "host " + q.Key }).ToArray();
        foreach (Thread w in workers) w.Start();
        var dispatcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Dispatch(queues, failed.Token);
                dispatcher.SetResult();
            }
            catch (Exception e)
            {
                dispatcher.SetException(e);
            }
        }) { IsBackground = true, Name = "timeline" };
        thread.Start();
        try
        {
            await dispatcher.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A host worker failed and cancelled the run: its exception is rethrown below.
        }
        finally
        {
            foreach (var q in queues.Values) q.CompleteAdding();
            if (!errors.IsEmpty || ct.IsCancellationRequested || !dispatcher.Task.IsCompletedSuccessfully) await failed.CancelAsync().ConfigureAwait(false);

            // The timeline has ended (Settle after its last line, as on the model's clock): a call still
            // blocked now (a connect whose SYN is dropped) is recorded as still blocked, not a lab failure.
            else await _ended.CancelAsync().ConfigureAwait(false);
            foreach (Thread w in workers) await Task.Run(() => w.Join(_options.CallTimeout + TimeSpan.FromSeconds(5)), CancellationToken.None).ConfigureAwait(false);
            foreach (var q in queues.Values) q.Dispose();
        }

        _session.StopRecording();
        if (errors.TryDequeue(out Exception? first)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        ct.ThrowIfCancellationRequested();
        return new TraceAssembler(_scenario, _session, _ends, _t0, _crashes).Assemble(_entries.OrderBy(e => e.Ns).ThenBy(e => e.Order).Select(e => e.Entry));
    }

    private void Dispatch(Dictionary<string, BlockingCollection<(TimedLine, TaskCompletionSource)>> queues, CancellationToken ct)
    {
        Linux.Interop.SchedulingBoost.Boost();
        var sameInstant = new List<Task>();
        TimeSpan? instant = null;
        foreach (TimedLine line in _scenario.Timeline)
        {
            SleepUntil(line.At, ct);
            if (instant != line.At)
            {
                instant = line.At;
                sameInstant.Clear();
            }
            else if (sameInstant.Count > 0)
            {
                // File order within one instant, as on the model's clock, bounded so a blocking call cannot hold others.
                Task.WaitAll([.. sameInstant], (int)_options.SameInstantWait.TotalMilliseconds, ct);
            }

            switch (line.Statement)
            {
                case KillCall kill:
                    // A kill is a signal from outside: it does not wait for the host's blocked call, it ends it.
                    Perform(kill.Host, line, kill, ct).GetAwaiter().GetResult();
                    break;
                case HostStatement { FromOutside: true } outside:
                    // Release and destroy are another process's doing: at their time, whatever the host's process is
                    // blocked in; done here (tens of microseconds) so that file order within an instant holds.
                    PerformOutside(outside.Host, line, outside, ct).GetAwaiter().GetResult();
                    break;
                case HostStatement hs:
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    sameInstant.Add(done.Task);
                    queues[hs.Host].Add((line, done), ct);
                    break;
                case NetworkStatement ns:
                    ApplyNetwork(line, ns, ct).GetAwaiter().GetResult();
                    break;
                case Expectation ex:
                    ObserveAsync(line, ex, ct).GetAwaiter().GetResult();
                    break;
            }
        }

        foreach (var q in queues.Values) q.CompleteAdding();
        foreach (var q in queues.Values)
        {
            // A failed host worker cancels ct; without that check a queue it left non-empty would never drain.
            while (!q.IsCompleted)
            {
                ct.ThrowIfCancellationRequested();
                Thread.Sleep(5);
            }
        }

        Thread.Sleep(_options.Settle);
    }

    private void HostWorker(string host, BlockingCollection<(TimedLine Line, TaskCompletionSource Done)> queue, CancellationTokenSource failed, ConcurrentQueue<Exception> errors)
    {
        Linux.Interop.SchedulingBoost.Boost();
        try
        {
            long free = 0;
            foreach ((TimedLine line, TaskCompletionSource done) in queue.GetConsumingEnumerable(failed.Token))
            {
                SleepUntil(line.At, failed.Token);
                long due = Math.Max(_t0 + (line.At.Ticks * 100), free);
                long started = MonotonicClock.NowNs();
                Perform(host, line, (HostStatement)line.Statement, failed.Token).GetAwaiter().GetResult();
                free = MonotonicClock.NowNs();
                if (started - due > LateNs)
                {
                    // Not waiting for the host (that is recorded as the call's start): the machine was slow.
                    Note(started, $"{line.Where}: started {(started - due) / 1_000_000} ms late (scheduling delay on this machine)");
                }

                done.TrySetResult();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            errors.Enqueue(e);
            failed.Cancel();
        }
    }

    private async Task Perform(string hostName, TimedLine line, HostStatement st, CancellationToken ct, bool record = true)
    {
        LabHost host = _session.Hosts[hostName];
        if (st is KillCall)
        {
            long s = MonotonicClock.NowNs();
            long signalled = await host.KillAgentAsync(ct).ConfigureAwait(false);

            // `kill` returns when kill(2) does, as the model's does; the process's exit (tearing down its
            // address space and closing its descriptors) happens after, and was waited for above.
            Record(s, new CallTraced(At(s), line, hostName, At(signalled), CallOutcome.Ok()));
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
        using var untilEnd = CancellationTokenSource.CreateLinkedTokenSource(ct, _ended.Token);
        try
        {
            r = await agent.CallAsync(req, _options.CallTimeout, untilEnd.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            long end = MonotonicClock.NowNs();
            Record(end, new CallBlockedTraced(At(end), line, hostName, At(sent)));
            return;
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

    /// <summary>
    /// <c>HOST release S</c> and <c>HOST destroy S</c>, from the lab process. Release: the descriptor number the
    /// agent holds for S (an info query, answered at once even while the agent is blocked), then pidfd_getfd and
    /// shutdown(SHUT_WR) on the duplicate; a name the agent no longer holds is EBADF, as pidfd_getfd answers for
    /// a closed descriptor. Destroy: SOCK_DESTROY of S's 4-tuple in the host's namespace (ENOENT when the kernel
    /// holds nothing for it).
    /// </summary>
    private async Task PerformOutside(string hostName, TimedLine line, HostStatement st, CancellationToken ct)
    {
        LabHost host = _session.Hosts[hostName];
        long s = MonotonicClock.NowNs();
        Errno errno;
        switch (st)
        {
            case ReleaseCall r:
            {
                // A crashed host has no process (EBADF) and no sockets (ENOENT): the answers another process gets.
                AgentClient? agent = host.IsUp ? host.Agent : null;
                errno = Errno.EBADF;
                if (agent is not null)
                {
                    try
                    {
                        AgentResponse info = await agent.CallAsync(new AgentRequest { Op = AgentOp.Info, Socket = r.Socket }, _options.CallTimeout, ct).ConfigureAwait(false);
                        if (info.Held) errno = OutsideProcess.ReleaseWrite(agent.Pid, info.Fd);
                    }
                    catch (AgentExitedException)
                    {
                        // The process is gone: nothing to duplicate (pidfd_open would say ESRCH, a descriptor table gone EBADF).
                    }
                }

                break;
            }

            case DestroyCall d:
                KnownEnd? end = _ends.Get(d.Socket);
                errno = host.IsUp && end is { Local: { } local, Remote: { } remote } ? host.DestroyEnd(local, remote) : Errno.ENOENT;
                break;
            default:
                throw new LabRunException("unsupported statement " + st.GetType().Name);
        }

        long e = MonotonicClock.NowNs();
        Record(s, new CallTraced(At(s), line, hostName, At(e), errno == Errno.None ? CallOutcome.Ok() : CallOutcome.Fail(errno)));
    }

    private (AgentRequest, KnownEnd?) BuildRequest(string host, HostStatement st)
    {
        switch (st)
        {
            case ListenCall l:
                return (new AgentRequest { Op = AgentOp.Listen, Socket = l.Listener, Port = l.Port, N = l.Backlog ?? 0 }, _ends.Declare(l.Listener, host, SocketRole.Listener));
            case ConnectCall c:
                KnownEnd end = _ends.Declare(c.Socket, host, SocketRole.Connector);
                IPAddress peer = _scenario.Host(c.Peer).Address;
                end.Remote = new IPEndPoint(peer, c.Port);
                return (new AgentRequest { Op = AgentOp.Connect, Socket = c.Socket, Address = peer.ToString(), Port = c.Port }, end);
            case AcceptCall a:
                return (new AgentRequest { Op = AgentOp.Accept, Socket = a.Socket, Listener = a.Listener }, null);
            case SendCall s: return (new AgentRequest { Op = AgentOp.Send, Socket = s.Socket, N = s.Bytes }, null);
            case RecvCall r: return (new AgentRequest { Op = AgentOp.Recv, Socket = r.Socket, N = r.Bytes }, null);
            case ShutdownCall sh: return (new AgentRequest { Op = AgentOp.Shutdown, Socket = sh.Socket, N = (int)sh.How }, null);
            case CloseCall cl: return (new AgentRequest { Op = AgentOp.Close, Socket = cl.Socket }, null);
            case ErrorCall e: return (new AgentRequest { Op = AgentOp.Error, Socket = e.Socket }, null);
            case SetSockOptCall o:
                return (new AgentRequest { Op = AgentOp.SetSockOpt, Socket = o.Socket, Option = o.Option, On = o.On, N = o.Value }, null);
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
            case AcceptCall a when r.Value == 0 && r.Fault == AgentFault.None:
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
        if (r.Fault == AgentFault.UnknownSocket) return CallOutcome.Fail(Errno.EBADF);
        if (r.Fault != AgentFault.None) throw new LabRunException("agent fault: " + r.FaultMessage);
        if (st is ErrorCall) return r.Errno == Errno.None ? CallOutcome.Ok() : new CallOutcome((long)r.Errno, r.Errno);
        return r.Value < 0 ? CallOutcome.Fail(r.Errno) : CallOutcome.Ok(r.Value);
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
        // A packet towards a crashed host has no attached destination on the wire; it was still sent to it.
        System.Net.IPAddress toAddress = _scenario.Host(to).Address;
        for (int i = start; i < all.Count; i++)
        {
            if (all[i].From != from || all[i].Segment is not { } seg) continue;
            if (all[i].To == to || (all[i].To is null && seg.Destination.Address.Equals(toAddress))) flags.Add(seg.Flags);
        }

        _packetCursor[(from, to)] = all.Count;
        return new PacketsObservation(flags);
    }

    private void SleepUntil(TimeSpan at, CancellationToken ct)
    {
        long due = _t0 + (at.Ticks * 100);
        long wait = due - MonotonicClock.NowNs();
        if (wait > 2_000_000) ct.WaitHandle.WaitOne(TimeSpan.FromTicks((wait - 1_500_000) / 100));
        ct.ThrowIfCancellationRequested();
        while (MonotonicClock.NowNs() < due) Thread.SpinWait(50); // the last ~1.5 ms: timer slack would make us late
        ct.ThrowIfCancellationRequested();
    }

    private TimeSpan At(long ns) => TimeSpan.FromTicks((ns - _t0) / 100);

    private void Record(long ns, TraceEntry entry) => _entries.Add((ns, Interlocked.Increment(ref _order), entry));

    private void Note(long ns, string text) => Record(ns, new NoteTraced(At(ns), text));
}
