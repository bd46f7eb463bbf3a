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
    private readonly List<Task> _offPath = [];
    private readonly ConcurrentBag<(long LateNs, string Where)> _lateness = [];

    // Cancelled when the timeline has ended: a call still blocked then is recorded as such, as the model does.
    private readonly CancellationTokenSource _ended = new();
    private const long LateNs = 10_000_000;
    private int _order;
    private long _t0;
    private readonly TimeSpan _lastLineAt;

    public ScenarioPlayer(LabSession session, Scenario scenario, KernelTargetOptions options)
    {
        _session = session;
        _scenario = scenario;
        _options = options;
        _observer = new EndObserver(session, _ends, options);
        _lastLineAt = scenario.Timeline.Count == 0 ? TimeSpan.Zero : scenario.Timeline.Max(l => l.At);
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

        WarmCallPaths();
        foreach (LabHost h in _session.Hosts.Values) h.ResetCounters();
        _t0 = MonotonicClock.NowNs() + 200_000_000; // a lead: the timeline threads start and rehearse (Rehearsal) before line 0 is due
        string? jiffyNote = AlignWithJiffies();
        var collections = RuntimePauseMeter.Start();

        // The timeline runs on dedicated threads with blocking waits (one dispatcher, one per host), and
        // agent replies resume their callers on the reply reader's thread: no thread-pool hop between a
        // line's time and its syscall, which under load costs milliseconds.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queues = _session.Hosts.Keys.ToDictionary(h => h, _ => new BlockingCollection<QueuedLine>());
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

        RuntimePauses paused = collections.Stop();

        // Crashes finish destroying kernel state off the timeline's path; their transitions must be recorded.
        Task[] offPath;
        lock (_offPath) offPath = [.. _offPath];
        try { await Task.WhenAll(offPath).WaitAsync(_options.CallTimeout, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or OperationCanceledException or AgentExitedException) { errors.Enqueue(e); }

        _session.StopRecording();
        if (errors.TryDequeue(out Exception? first)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        ct.ThrowIfCancellationRequested();
        ScenarioTrace trace = new TraceAssembler(_scenario, _session, _ends, _t0, _crashes).Assemble(_entries.Where(e => e.Entry is not CallTraced { Line: var l } || !IsRehearsal(l)).OrderBy(e => e.Ns).ThenBy(e => e.Order).Select(e => e.Entry));
        trace.Precision = PrecisionMeter.Measure(_lateness.Where(l => l.Where != Rehearsing), _session.Context.Wire.Captured, _options.PrecisionBounds, trace) with { Collections = paused, Jiffies = jiffyNote };
        trace.Add(new NoteTraced(trace.Entries.Count == 0 ? TimeSpan.Zero : trace.Entries[^1].At, trace.Precision.ToString()));
        return trace;
    }

    private void Dispatch(Dictionary<string, BlockingCollection<QueuedLine>> queues, CancellationToken ct)
    {
        Linux.Interop.SchedulingBoost.RealTimeIf(_session.Context.RealTime, Linux.Interop.SchedulingBoost.CallPriority);
        var sameInstant = new List<Task<long>>();
        TimeSpan? instant = null;
        long instantFree = 0;
        List<TimedLine> lines = [.. Rehearsal().Concat(_scenario.Timeline)];
        for (int index = 0; index < lines.Count; index++)
        {
            TimedLine line = lines[index];
            SleepUntil(line.At, ct, IsAgentCall(line) ? AgentLeadNs : 0);
            if (instant != line.At)
            {
                instant = line.At;
                sameInstant.Clear();
                instantFree = 0;
            }
            else if (sameInstant.Count > 0)
            {
                // File order within one instant, as on the model's clock, bounded so a blocking call cannot hold others.
                // A line may start only once the earlier ones have ended: its lateness counts from then.
                bool all = Task.WaitAll([.. sameInstant], (int)_options.SameInstantWait.TotalMilliseconds, ct);
                instantFree = all ? sameInstant.Max(t => t.Result) : MonotonicClock.NowNs();
            }

            long allowed = Math.Max(Due(line.At), instantFree);
            long started = MonotonicClock.NowNs();
            switch (line.Statement)
            {
                case KillCall kill:
                    // A kill is a signal from outside: it does not wait for the host's blocked call, it ends it. The
                    // process's exit (its descriptors closed) completes the line for later lines of the same instant.
                    sameInstant.Add(Kill(kill.Host, line, ct));
                    break;
                case HostStatement { FromOutside: true } outside:
                    // Release and destroy are another process's doing: at their time, whatever the host's process is
                    // blocked in; done here (tens of microseconds) so that file order within an instant holds.
                    PerformOutside(outside.Host, line, outside, ct).GetAwaiter().GetResult();
                    sameInstant.Add(Task.FromResult(MonotonicClock.NowNs()));
                    break;
                case HostStatement hs:
                    // Completed inline by the host's worker: the wait of the instant's later lines wakes at once, not
                    // through a thread-pool continuation (ms under load). The lines right after it at the same instant
                    // on the same host go with it (SameHostRun): the agent runs them back to back.
                    int last = SameHostRun(lines, index);
                    var batch = new TimedLine[last - index + 1];
                    var dones = new TaskCompletionSource<long>[batch.Length];
                    for (int k = 0; k < batch.Length; k++)
                    {
                        batch[k] = lines[index + k];
                        dones[k] = new TaskCompletionSource<long>(TaskCreationOptions.None);
                        sameInstant.Add(dones[k].Task);
                    }

                    queues[hs.Host].Add(new QueuedLine(batch, dones, instantFree), ct);
                    index = last;
                    continue; // its lateness is the host worker's to measure
                case NetworkStatement ns:
                    ApplyNetwork(line, ns, ct).GetAwaiter().GetResult();
                    sameInstant.Add(Task.FromResult(MonotonicClock.NowNs()));
                    break;
                case Expectation ex:
                    ObserveAsync(line, ex, ct).GetAwaiter().GetResult();
                    sameInstant.Add(Task.FromResult(MonotonicClock.NowNs()));
                    break;
            }

            Late(line, started - allowed);
        }

        foreach (var q in queues.Values) q.CompleteAdding();

        // Every host finishes its lines, but the timeline ends at its last line plus Settle (the model's ends at the
        // last line): a host still blocked in a call then stays blocked, as on the model, and the lines queued
        // behind that call never run (HostWorker). Waiting for it instead ran into CallTimeout: a connect whose
        // SYNs are dropped blocks for two minutes (fuzz seed 29990001).
        long end = Due(_lastLineAt) + (_options.Settle.Ticks * 100);
        while (queues.Values.Any(q => !q.IsCompleted) && MonotonicClock.NowNs() < end)
        {
            // A failed host worker cancels ct; without that check a queue it left non-empty would hold us to the end.
            ct.ThrowIfCancellationRequested();
            Thread.Sleep(5);
        }

        if (queues.Values.All(q => q.IsCompleted)) Thread.Sleep(_options.Settle);
    }

    /// <summary>A line its host's agent performs (not a kill, not a release or destroy from outside).</summary>
    private static bool IsAgentCall(TimedLine line) => line.Statement is HostStatement { FromOutside: false } and not KillCall;

    /// <summary>
    /// The last of the lines from <paramref name="first"/> that its host's agent can be sent at once: the same
    /// instant, the same host, each after a call that cannot block (the agent's sockets are non-blocking except
    /// for connect and a lingering close). In file order they would each wait for the one before to return
    /// through the lab process — five thread wake-ups, 0.6 ms at the median on the 2-core test VM — where the
    /// agent, which runs its requests one after another, starts each the moment the one before ends.
    /// </summary>
    private static int SameHostRun(List<TimedLine> lines, int first)
    {
        string host = ((HostStatement)lines[first].Statement).Host;
        int last = first;
        while (last + 1 < lines.Count && lines[last + 1].At == lines[first].At && IsAgentCall(lines[last + 1]) &&
               ((HostStatement)lines[last + 1].Statement).Host == host && lines[last].Statement is not (ConnectCall or CloseCall))
        {
            last++;
        }

        return last;
    }

    /// <summary>
    /// Runs the lab's side of every call the scenario makes once on made-up data — request, JSON, the reply's
    /// endpoints, outcome, trace entry — with a scratch registry: the first real call of each kind then finds its
    /// code compiled and its types loaded (2–3 ms for a first listen's reply under load otherwise).
    /// </summary>
    private void WarmCallPaths()
    {
        var scratch = new EndRegistry();
        var reply = new AgentResponse { Local = "192.0.2.1:1", Remote = "192.0.2.2:2", StartNs = 1, EndNs = 2 };
        foreach (TimedLine line in _scenario.Timeline)
        {
            if (line.Statement is not HostStatement st || st is KillCall || st.FromOutside) continue;
            (AgentRequest req, _) = BuildRequest(scratch, st.Host, st);
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(req, AgentJson.Default.AgentRequest);
            UpdateEndpoints(scratch, st.Host, st, reply);
            _ = new CallTraced(TimeSpan.Zero, line, st.Host, TimeSpan.Zero, Outcome(st, reply));
        }

        System.Text.Json.JsonSerializer.Deserialize("{\"id\":1,\"value\":-1,\"errno\":11,\"start\":1,\"end\":2,\"local\":\"192.0.2.1:1\",\"remote\":\"192.0.2.2:2\"}", AgentJson.Default.AgentResponse);
    }

    /// <summary>
    /// Lines played before the timeline's zero and not recorded: each host's worker and agent, the queues and the
    /// same-instant wait run once on the very threads of the timeline (an error call on a name nobody holds), so
    /// that the first real lines do not pay for JIT compilation of generic code on their path (ms under load).
    /// </summary>
    private IEnumerable<TimedLine> Rehearsal()
    {
        foreach (TimeSpan at in (TimeSpan[])[TimeSpan.FromMilliseconds(-150), TimeSpan.FromMilliseconds(-100)])
        {
            foreach (string host in _session.Hosts.Keys) yield return new TimedLine(default, at, null, new ErrorCall(host, Rehearsing), null, "rehearsal");
        }
    }

    /// <summary>The socket name of rehearsal lines (no scenario can name a socket so).</summary>
    private const string Rehearsing = "\u0001rehearsal";

    private static bool IsRehearsal(TimedLine line) => line.Statement is ErrorCall { Socket: Rehearsing };

    private void HostWorker(string host, BlockingCollection<QueuedLine> queue, CancellationTokenSource failed, ConcurrentQueue<Exception> errors)
    {
        Linux.Interop.SchedulingBoost.RealTimeIf(_session.Context.RealTime, Linux.Interop.SchedulingBoost.CallPriority);
        try
        {
            long free = 0;
            foreach ((TimedLine[] lines, TaskCompletionSource<long>[] dones, long notBefore) in queue.GetConsumingEnumerable(failed.Token))
            {
                if (_ended.IsCancellationRequested)
                {
                    // The timeline ended while this host was blocked in an earlier call: as on the model, the lines never ran.
                    foreach (TimedLine line in lines) Note(MonotonicClock.NowNs(), $"{host} was still blocked: line {line.Where.Line} never ran");
                    foreach (TaskCompletionSource<long> done in dones) done.TrySetResult(MonotonicClock.NowNs());
                    continue;
                }

                // The requests leave AgentLeadNs early and the agent starts the first at its time (AgentRequest.DueNs),
                // the others as soon as the one before has returned.
                SleepUntil(lines[0].At, failed.Token, AgentLeadNs);

                // The instant the first call could start: its time, or later when the host was still in its previous call
                // (the agent's end of it) or earlier lines of the same instant had not ended (the model's order).
                long allowed = Math.Max(Math.Max(Due(lines[0].At), free), notBefore);
                var sent = new SentCall?[lines.Length];
                for (int k = 0; k < lines.Length; k++) sent[k] = Send(host, lines[k], (HostStatement)lines[k].Statement, failed.Token, dueNs: k == 0 ? allowed : 0).GetAwaiter().GetResult();
                for (int k = 0; k < lines.Length; k++)
                {
                    (long Start, long End)? call = Complete(host, lines[k], sent[k], dones[k], allowed, failed.Token).GetAwaiter().GetResult();
                    if (call is { } c)
                    {
                        free = c.End;
                        allowed = c.End;
                    }
                }
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

    /// <summary>
    /// Finishes a sent line and completes its <paramref name="done"/>. The reply's continuation runs on the agent
    /// client's reply reader, so the instant's next line (the dispatcher waits on <paramref name="done"/>) is
    /// released from there, without first waking this host's worker: on an idle virtual CPU every wake-up on that
    /// path costs a few hundred microseconds.
    /// </summary>
    private async Task<(long Start, long End)?> Complete(string host, TimedLine line, SentCall? sent, TaskCompletionSource<long> done, long allowed, CancellationToken ct)
    {
        (long Start, long End)? call = sent is not null ? await Finish(host, line, sent, ct).ConfigureAwait(false) : null;
        long end = MonotonicClock.NowNs();
        if (call is { } c)
        {
            // Waiting for a replacement agent (after kill) is waiting for the host, not the lab's lateness.
            allowed = Math.Max(allowed, _session.Hosts[host].AgentReadyNs);
            Late(line, c.Start - allowed);
            end = c.End;
        }

        done.TrySetResult(end);
        return call;
    }

    /// <summary>
    /// <c>HOST kill</c>: SIGKILL at the line's time; the returned task completes (CLOCK_MONOTONIC ns) when the
    /// process has exited and its descriptors are closed. The replacement agent comes from the host (a spare
    /// started before the timeline when the scenario kills), so later lines need not wait for a process start.
    /// </summary>
    private Task<long> Kill(string hostName, TimedLine line, CancellationToken ct)
    {
        LabHost host = _session.Hosts[hostName];
        long s = MonotonicClock.NowNs();
        (long signalled, Task<long> exited) = host.KillAgent(ct);

        // `kill` returns when kill(2) does, as the model's does; the process's exit (tearing down its
        // address space and closing its descriptors) happens after, off the timeline's path.
        Record(s, new CallTraced(At(s), line, hostName, At(signalled), CallOutcome.Ok()));
        lock (_offPath) _offPath.Add(exited);
        return exited;
    }

    private async Task<(long Start, long End)?> Perform(string hostName, TimedLine line, HostStatement st, CancellationToken ct, bool record = true, long dueNs = 0) =>
        await Send(hostName, line, st, ct, dueNs).ConfigureAwait(false) is { } sent ? await Finish(hostName, line, sent, ct, record).ConfigureAwait(false) : null;

    /// <summary>A request on its way to a host's agent (<see cref="Send"/>), to be finished in order (<see cref="Finish"/>).</summary>
    private sealed record SentCall(HostBoot Boot, AgentClient Agent, HostStatement Statement, KnownEnd? Creates, long SentNs, Task<AgentResponse> Reply, CancellationTokenSource UntilEnd);

    /// <summary>Sends a line's request to its host's agent (written before this returns); null when the host cannot take it.</summary>
    private async Task<SentCall?> Send(string hostName, TimedLine line, HostStatement st, CancellationToken ct, long dueNs)
    {
        LabHost host = _session.Hosts[hostName];
        HostBoot? boot = host.Current;
        if (boot is null)
        {
            long s = MonotonicClock.NowNs();
            Note(s, $"{line.Where}: {hostName} is crashed; the call was not performed");
            return null;
        }

        if (boot.Agent is null && boot.AgentRestart is not null) await boot.AgentRestart.WaitAsync(_options.AgentStartTimeout, ct).ConfigureAwait(false);
        if (host.Current != boot)
        {
            // It crashed (and perhaps rebooted) while its process was being replaced after a kill: the call belonged to the old boot.
            Note(MonotonicClock.NowNs(), $"{line.Where}: {hostName} went down before '{line.Text.Trim()}' could start; it was not performed");
            return null;
        }

        AgentClient agent = boot.Agent ?? throw new LabRunException($"{line.Where}: no agent for host {hostName}");
        (AgentRequest req, KnownEnd? creates) = BuildRequest(hostName, st);
        req.DueNs = dueNs;
        long sent = MonotonicClock.NowNs();
        if (creates is not null) creates.CreatedNs = Math.Max(sent, dueNs);
        var untilEnd = CancellationTokenSource.CreateLinkedTokenSource(ct, _ended.Token);
        return new SentCall(boot, agent, st, creates, sent, agent.CallAsync(req, CallTimeoutFrom(sent), untilEnd.Token), untilEnd);
    }

    /// <summary>Waits for a sent line's reply and records it: its start and end on the agent, or null when it never returned.</summary>
    private async Task<(long Start, long End)?> Finish(string hostName, TimedLine line, SentCall call, CancellationToken ct, bool record = true)
    {
        LabHost host = _session.Hosts[hostName];
        (HostBoot boot, AgentClient agent, HostStatement st, KnownEnd? creates, long sent, _, CancellationTokenSource untilEnd) = call;
        AgentResponse r;
        using (untilEnd)
        {
            try
            {
                r = await call.Reply.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                long end = MonotonicClock.NowNs();
                Record(end, new CallBlockedTraced(At(end), line, hostName, At(sent)));

                // What it waits for, in case the model disagrees (a lost SYN? an answer never sent?).
                Note(end, $"{line.Where}: '{line.Text.Trim()}' still blocked at the end ({HangReport.Describe(host, _session.Context.Wire.Captured, _t0)})");
                return null;
            }
            catch (TimeoutException)
            {
                throw new LabRunException($"{line.Where}: '{line.Text.Trim()}' did not return within {_options.CallTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ({HangReport.Describe(host, _session.Context.Wire.Captured, _t0)})");
            }
            catch (AgentExitedException) when (host.Current != boot || boot.Agent != agent)
            {
                Note(sent, $"{line.Where}: {hostName} went down during '{line.Text.Trim()}'; it never returned");
                return null;
            }
            catch (AgentExitedException e)
            {
                throw new LabRunException($"{line.Where}: the agent of host {hostName} died unexpectedly during '{line.Text.Trim()}' ({e.Message})", e);
            }
        }

        if (creates is not null) creates.CreatedEndNs = r.EndNs;
        UpdateEndpoints(_ends, hostName, st, r);
        CallOutcome outcome = Outcome(st, r);
        if (record) Record(r.StartNs, new CallTraced(At(r.StartNs), line, hostName, At(r.EndNs), outcome));
        return (r.StartNs, r.EndNs);
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

    private (AgentRequest, KnownEnd?) BuildRequest(string host, HostStatement st) => BuildRequest(_ends, host, st);

    private (AgentRequest, KnownEnd?) BuildRequest(EndRegistry ends, string host, HostStatement st)
    {
        switch (st)
        {
            case ListenCall l:
                return (new AgentRequest { Op = AgentOp.Listen, Socket = l.Listener, Port = l.Port, N = l.Backlog ?? 0 }, ends.Declare(l.Listener, host, SocketRole.Listener));
            case ConnectCall c:
                KnownEnd end = ends.Declare(c.Socket, host, SocketRole.Connector);
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

    private static void UpdateEndpoints(EndRegistry ends, string host, HostStatement st, AgentResponse r)
    {
        IPEndPoint? local = r.Local is null ? null : IPEndPoint.Parse(r.Local);
        IPEndPoint? remote = r.Remote is null ? null : IPEndPoint.Parse(r.Remote);
        switch (st)
        {
            case ListenCall l:
                ends.Get(l.Listener)!.Local = local;
                break;
            case ConnectCall c:
                KnownEnd ce = ends.Get(c.Socket)!;
                ce.Local = local ?? ce.Local;
                ce.Remote = remote ?? ce.Remote;
                break;
            case AcceptCall a when r.Value == 0 && r.Fault == AgentFault.None:
                KnownEnd ae = ends.Declare(a.Socket, host, SocketRole.Accepted);
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
                Crash(c.Host, s);
                break;
            case RebootHost r:
                LabHost h = _session.Hosts[r.Host];
                if (h.IsUp) Crash(r.Host, s);
                await h.RebootAsync(ct).ConfigureAwait(false);
                Note(MonotonicClock.NowNs(), $"{r.Host} rebooted as namespace {h.Namespace} (ready after {(MonotonicClock.NowNs() - s) / 1_000_000} ms)");
                break;
        }

        Record(s, new NetworkEventTraced(At(s), line));
    }

    /// <summary>
    /// A crash at once: the host leaves the wire and stops answering; destroying its kernel state (agent,
    /// sockets, namespace: tens of milliseconds) goes on off the timeline's path, so no other line waits for it.
    /// </summary>
    private void Crash(string hostName, long s)
    {
        Task<long> destroyed = _session.Hosts[hostName].Crash();
        Task recorded = destroyed.ContinueWith(
            t =>
            {
                long e = t.IsCompletedSuccessfully ? t.Result : MonotonicClock.NowNs();
                lock (_crashes) _crashes.Add((hostName, s, e));
                Note(e, $"{hostName} crashed: off the wire at once, kernel state destroyed {(e - s) / 1_000_000} ms later (off the timeline's path)");
                t.GetAwaiter().GetResult();
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (_offPath) _offPath.Add(recorded);
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

    /// <summary>
    /// Sleeps to the line's absolute CLOCK_MONOTONIC deadline (clock_nanosleep TIMER_ABSTIME; no timer slack on a
    /// SCHED_FIFO thread), in slices of at most 20 ms so that cancellation is seen; the last 150 µs are spun.
    /// </summary>
    private void SleepUntil(TimeSpan at, CancellationToken ct, long earlyNs = 0)
    {
        long due = Due(at) - earlyNs;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            long now = MonotonicClock.NowNs();
            if (now >= due) return;
            if (due - now > 20_000_000) Linux.Interop.MonotonicSleep.Until(now + 20_000_000);
            else Linux.Interop.MonotonicSleep.UntilSpinning(due, SpinNs);
        }
    }

    /// <summary>How long before a line's time its thread stops sleeping and spins (a timer wake-up costs 50–100 µs here).</summary>
    private const long SpinNs = 150_000;

    /// <summary>
    /// How long before a line's time its request is sent to the host's agent, which waits for the instant itself:
    /// more than the agent's own spin (<see cref="AgentProgram.DueSpinNs"/>), so that the runner's wake-up, the pipe
    /// and the agent's JSON are done before the agent starts spinning.
    /// </summary>
    private const long AgentLeadNs = 4_000_000;

    /// <summary>
    /// Moves the timeline's zero to the phase of the kernel's jiffies that the model's timer wheel assumes
    /// (<see cref="JiffyClock"/>): a jiffy that is a multiple of 512 (4096 for timelines past 129 s, where
    /// level-4 timers can come due), 3.5 ms into it at HZ 250. Up to 2 s (16 s) more lead. Returns a note.
    /// </summary>
    private string? AlignWithJiffies()
    {
        if (JiffyClock.Current is not { } clock) return "jiffies unknown (/proc/timer_list unreadable): the kernel's timers may run up to a wheel granularity from the model's";
        long modulus = _lastLineAt >= TimeSpan.FromSeconds(129) ? 4096 : 512;
        (long zero, long jiffy) = clock.AlignedZero(_t0, modulus);
        _t0 = zero;
        return string.Create(CultureInfo.InvariantCulture, $"zero {TimerWheelPhaseMs(clock):0.###} ms into jiffy {jiffy} (a multiple of {modulus} at HZ {clock.Hz}, as the model's timer wheel)");
    }

    private static double TimerWheelPhaseMs(JiffyClock clock) => (clock.PeriodNs - (Teardown.Model.Rules.TimerWheel.TickPhaseUs * 1000)) / 1e6;

    private long Due(TimeSpan at) => _t0 + (at.Ticks * 100);

    /// <summary>
    /// How long a call started at <paramref name="sentNs"/> may take before the run is given up: CallTimeout beyond
    /// the timeline's end. Until the end a call may legitimately block (a connect whose SYNs are dropped takes two
    /// minutes; the model records it as still blocked at the end, and so does the lab, through _ended): a fixed
    /// 30 s counted from the call turned such scenarios into lab errors (fuzz seed 29990001).
    /// </summary>
    private TimeSpan CallTimeoutFrom(long sentNs)
    {
        long end = Due(_lastLineAt) + (_options.Settle.Ticks * 100);
        return _options.CallTimeout + TimeSpan.FromTicks(Math.Max(0, end - sentNs) / 100);
    }

    /// <summary>Records how late a line started after the instant it could (see <see cref="LabPrecision"/>); notes gross lateness.</summary>
    private void Late(TimedLine line, long lateNs)
    {
        // Rehearsal lines take the same path (what they exercise is what they warm) and are left out afterwards.
        _lateness.Add((lateNs, IsRehearsal(line) ? Rehearsing : line.Where.ToString()));
        if (lateNs > LateNs && !IsRehearsal(line))
        {
            long now = MonotonicClock.NowNs();
            Note(now, $"{line.Where}: started {lateNs / 1_000_000} ms late (scheduling delay on this machine)");
        }
    }

    /// <summary>A host line handed to its host's worker, with the end of the earlier lines of its instant.</summary>
    /// <summary>Lines of one host sent to its agent together (<see cref="SameHostRun"/>), each with its completion.</summary>
    private readonly record struct QueuedLine(TimedLine[] Lines, TaskCompletionSource<long>[] Done, long NotBefore);

    private TimeSpan At(long ns) => TimeSpan.FromTicks((ns - _t0) / 100);

    private void Record(long ns, TraceEntry entry) => _entries.Add((ns, Interlocked.Increment(ref _order), entry));

    private void Note(long ns, string text) => Record(ns, new NoteTraced(At(ns), text));
}
