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
    private bool _zeroClaimed; // _t0 is held in TimelineZeros until the timeline ends
    private InstantBoard? _board;

    // Per board slot: when the runner had recorded the line's reply (its endpoints in _ends, its trace entry), 0 until then.
    private long[] _recorded = [];
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

        // The timeline runs on dedicated threads with blocking waits (one dispatcher, one per host): no thread-pool
        // hop between a line's time and its syscall, which under load costs milliseconds. Lines of one instant wait
        // for each other on the board, in the agents, not for replies.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        List<TimedLine> lines = [.. Rehearsal().Concat(_scenario.Timeline)];
        using InstantBoard board = InstantBoard.Create(lines.Count + 1);
        _board = board;
        _recorded = new long[lines.Count + 1];
        var queues = _session.Hosts.Keys.ToDictionary(h => h, _ => new BlockingCollection<QueuedLine>());
        var errors = new ConcurrentQueue<Exception>();
        Thread[] workers = queues.Select(q => new Thread(() => HostWorker(q.Key, q.Value, failed, errors)) { IsBackground = true, Name = "host " + q.Key }).ToArray();
        foreach (Thread w in workers) w.Start();
        var dispatcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Dispatch(lines, queues, failed.Token);
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
            if (_zeroClaimed) TimelineZeros.Release(_t0);
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

    /// <summary>
    /// Plays the lines on the timeline thread. A host's calls are handed to its worker <see cref="AgentLeadNs"/> before
    /// their time — ahead of the runner's own lines (expectations, network events) when need be, never ahead of a
    /// kill, crash or reboot of their host — and the lines of one instant keep file order through the run's
    /// <see cref="InstantBoard"/>: each waits, where it runs, for the marks of the lines before it.
    /// </summary>
    private void Dispatch(IReadOnlyList<TimedLine> lines, Dictionary<string, BlockingCollection<QueuedLine>> queues, CancellationToken ct)
    {
        Linux.Interop.SchedulingBoost.RealTimeIf(_session.Context.RealTime, Linux.Interop.SchedulingBoost.CallPriority);
        int agent = NextLine(lines, 0, agentCall: true);
        int runner = NextLine(lines, 0, agentCall: false);
        while (agent < lines.Count || runner < lines.Count)
        {
            bool handAgent = runner >= lines.Count ||
                (agent < lines.Count && !BarrierBetween(lines, runner, agent) && Due(lines[agent].At) - AgentLeadNs <= Due(lines[runner].At));
            if (handAgent)
            {
                SleepUntil(lines[agent].At, ct, AgentLeadNs, spin: false);
                int last = SameHostRun(lines, agent);
                var batch = new TimedLine[last - agent + 1];
                var slots = new int[batch.Length];
                for (int k = 0; k < batch.Length; k++)
                {
                    batch[k] = lines[agent + k];
                    slots[k] = SlotOf(agent + k);
                }

                // Its lateness is the host worker's to measure, against the instant the agent says it could start.
                queues[((HostStatement)batch[0].Statement).Host].Add(new QueuedLine(batch, slots, AgentLineWaitsFor(lines, agent)), ct);
                agent = NextLine(lines, last + 1, agentCall: true);
            }
            else
            {
                PlayRunnerLine(lines, runner, ct);
                runner = NextLine(lines, runner + 1, agentCall: false);
            }
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

    /// <summary>
    /// A line the runner performs itself, at its time and after the earlier lines of its instant (their marks on the
    /// board, waited for up to <see cref="KernelTargetOptions.SameInstantWait"/>); marks its own end.
    /// </summary>
    private void PlayRunnerLine(IReadOnlyList<TimedLine> lines, int index, CancellationToken ct)
    {
        TimedLine line = lines[index];
        SleepUntil(line.At, ct);
        long allowed = Due(line.At);
        int[] earlier = EarlierOfInstant(lines, index);
        if (earlier.Length > 0)
        {
            long deadline = MonotonicClock.NowNs() + (_options.SameInstantWait.Ticks * 100);
            allowed = Math.Max(allowed, Board.Wait(earlier, deadline, AgentProgram.DueSpinNs).AtNs);
        }

        // A line that names a socket needs the lab's record of the calls before it (an accepted socket's 4-tuple comes
        // with the accept's reply, which may still be on its way when the board says the accept has ended).
        if (line.Statement is ExpectSocket or ReleaseCall or DestroyCall) WaitForRecords(lines, index, MonotonicClock.NowNs() + (_options.SameInstantWait.Ticks * 100));

        int slot = SlotOf(index);
        long started = MonotonicClock.NowNs();
        switch (line.Statement)
        {
            case KillCall kill:
                // A kill is a signal from outside: it does not wait for the host's blocked call, it ends it. The
                // process's exit (its descriptors closed) completes the line for later lines of the same instant.
                Kill(kill.Host, line, ct).ContinueWith(
                    t => Board.Mark(slot, t.IsCompletedSuccessfully ? t.Result : MonotonicClock.NowNs()),
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                break;
            case HostStatement { FromOutside: true } outside:
                // Release and destroy are another process's doing: at their time, whatever the host's process is
                // blocked in; done here (tens of microseconds) so that file order within an instant holds.
                PerformOutside(outside.Host, line, outside, ct).GetAwaiter().GetResult();
                Board.Mark(slot, MonotonicClock.NowNs());
                break;
            case NetworkStatement ns:
                ApplyNetwork(line, ns, ct).GetAwaiter().GetResult();
                Board.Mark(slot, MonotonicClock.NowNs());
                break;
            case Expectation ex:
                ObserveAsync(line, ex, ct).GetAwaiter().GetResult();
                Board.Mark(slot, MonotonicClock.NowNs());
                break;
        }

        Late(line, started - allowed);
    }

    /// <summary>
    /// Waits (spinning, yielding, then polling; until <paramref name="deadlineNs"/> at most) until every host call before
    /// line <paramref name="index"/> that has ended on the board has also been recorded by the runner.
    /// </summary>
    private void WaitForRecords(IReadOnlyList<TimedLine> lines, int index, long deadlineNs)
    {
        long spinUntil = MonotonicClock.NowNs() + AgentProgram.DueSpinNs;
        for (int i = 0; i < index; i++)
        {
            int slot = SlotOf(i);
            if (!IsAgentCall(lines[i]) || Board.Read(slot) == 0) continue;
            long spinLeft = Math.Max(0, spinUntil - MonotonicClock.NowNs());
            if (!Linux.Interop.MonotonicSleep.SpinThenPoll(static w => Volatile.Read(ref w.Recorded[w.Slot]) != 0, (Recorded: _recorded, Slot: slot), deadlineNs, spinLeft)) return;
        }
    }

    /// <summary>The first line from <paramref name="from"/> that is (or is not) an agent's call; the count when none.</summary>
    private static int NextLine(IReadOnlyList<TimedLine> lines, int from, bool agentCall)
    {
        int i = from;
        while (i < lines.Count && IsAgentCall(lines[i]) != agentCall) i++;
        return i;
    }

    /// <summary>
    /// Whether a kill, crash or reboot of the host of agent line <paramref name="agentLine"/> comes before it from
    /// runner line <paramref name="runnerLine"/> on: its call may not be handed over before that has happened (the
    /// worker must send it to the host's next agent or boot, or find the host down).
    /// </summary>
    private static bool BarrierBetween(IReadOnlyList<TimedLine> lines, int runnerLine, int agentLine)
    {
        string host = ((HostStatement)lines[agentLine].Statement).Host;
        for (int i = runnerLine; i < agentLine; i++)
        {
            if (lines[i].Statement is KillCall k && k.Host == host) return true;
            if (lines[i].Statement is CrashHost c && c.Host == host) return true;
            if (lines[i].Statement is RebootHost r && r.Host == host) return true;
        }

        return false;
    }

    /// <summary>The board slots of the lines before line <paramref name="index"/> at its instant (file order within an instant).</summary>
    private static int[] EarlierOfInstant(IReadOnlyList<TimedLine> lines, int index)
    {
        int first = index;
        while (first > 0 && lines[first - 1].At == lines[index].At) first--;
        var slots = new int[index - first];
        for (int i = first; i < index; i++) slots[i - first] = SlotOf(i);
        return slots;
    }

    /// <summary>
    /// What a host's call waits for on the board besides its time: the lines before it at its instant, and the last
    /// network event or outside action (release, destroy) before it. The dispatcher performs those in order, but a call
    /// is handed over ahead of them, and one of them running late (a crash 1 ms late, a reboot after it) must not let
    /// a later call overtake it: the call would meet the network as it was before (a send to a crashed host dropped
    /// where the model, and the scenario, have the rebooted host reset it).
    /// </summary>
    private static int[] AgentLineWaitsFor(IReadOnlyList<TimedLine> lines, int index)
    {
        int[] sameInstant = EarlierOfInstant(lines, index);
        for (int i = index - 1; i >= 0; i--)
        {
            if (lines[i].At == lines[index].At) continue; // already among sameInstant when it changes the world
            if (lines[i].Statement is NetworkStatement or HostStatement { FromOutside: true }) return [.. sameInstant, SlotOf(i)];
        }

        return sameInstant;
    }

    /// <summary>A line's slot on the board: its index among the played lines, plus one (slot 0 is no line's).</summary>
    private static int SlotOf(int index) => index + 1;

    private InstantBoard Board => _board ?? throw new InvalidOperationException("the board exists while the timeline plays");

    /// <summary>A line its host's agent performs (not a kill, not a release or destroy from outside).</summary>
    private static bool IsAgentCall(TimedLine line) => line.Statement is HostStatement { FromOutside: false } and not KillCall;

    /// <summary>
    /// The last of the lines from <paramref name="first"/> that its host's agent can be sent at once: the same
    /// instant, the same host, each after a call that cannot block (the agent's sockets are non-blocking except
    /// for connect and a lingering close). In file order they would each wait for the one before to return
    /// through the lab process — five thread wake-ups, 0.6 ms at the median on the 2-core test VM — where the
    /// agent, which runs its requests one after another, starts each the moment the one before ends.
    /// </summary>
    private static int SameHostRun(IReadOnlyList<TimedLine> lines, int first)
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
        // The second instant takes the hosts in reverse order, so that every host's agent has once waited on the board
        // for another's line (the first such wait compiles its code: 0.3 ms).
        foreach ((TimeSpan at, bool reverse) in ((TimeSpan, bool)[])[(TimeSpan.FromMilliseconds(-150), false), (TimeSpan.FromMilliseconds(-100), true)])
        {
            IEnumerable<string> hosts = reverse ? _session.Hosts.Keys.Reverse() : _session.Hosts.Keys;
            foreach (string host in hosts) yield return new TimedLine(default, at, null, new ErrorCall(host, Rehearsing), null, "rehearsal");
        }
    }

    /// <summary>The socket name of rehearsal lines (no scenario can name a socket so).</summary>
    private const string Rehearsing = "\u0001rehearsal";

    private static bool IsRehearsal(TimedLine line) => line.Statement is ErrorCall { Socket: Rehearsing };

    /// <remarks>
    /// Real-time like the agents: as an ordinary thread it was starved by them when lines came 1 ms apart (each agent
    /// spins the last 2 ms before its call), and after a connect it sent the next calls only once the host had crashed.
    /// </remarks>
    private void HostWorker(string host, BlockingCollection<QueuedLine> queue, CancellationTokenSource failed, ConcurrentQueue<Exception> errors)
    {
        Linux.Interop.SchedulingBoost.RealTimeIf(_session.Context.RealTime, Linux.Interop.SchedulingBoost.CallPriority);
        try
        {
            var outstanding = new List<Task>();
            foreach ((TimedLine[] lines, int[] slots, int[] after) in queue.GetConsumingEnumerable(failed.Token))
            {
                if (_ended.IsCancellationRequested)
                {
                    // The timeline ended while this host was blocked in an earlier call: as on the model, the lines never ran.
                    foreach (TimedLine line in lines) Note(MonotonicClock.NowNs(), $"{host} was still blocked: line {line.Where.Line} never ran");
                    foreach (int slot in slots) MarkEndedAndRecorded(slot, MonotonicClock.NowNs());

                    continue;
                }

                // The requests leave AgentLeadNs early; the agent starts the first at its time, once the lines before it at
                // its instant have ended (their marks on the board), and each other as soon as the one before has returned.
                SleepUntil(lines[0].At, failed.Token, AgentLeadNs, spin: false);
                long due = Due(lines[0].At);
                var gate = new Gate(after, due + (_options.SameInstantWait.Ticks * 100));
                var sent = new SentCall?[lines.Length];
                for (int k = 0; k < lines.Length; k++) sent[k] = Send(host, lines[k], (HostStatement)lines[k].Statement, failed.Token, k == 0 ? due : 0, slots[k], k == 0 ? gate : null).GetAwaiter().GetResult();
                for (int k = 0; k < lines.Length; k++) outstanding.Add(Complete(host, lines[k], sent[k], slots[k], failed.Token));

                // The agent runs its requests one after another, so the next ones may follow at once — except after a call
                // that can block (connect, a lingering close): what comes after it must wait for it here, so that at the
                // timeline's end, or at a kill, lines queued behind a blocked call are known never to have run.
                if (lines[^1].Statement is ConnectCall or CloseCall) AwaitAll(outstanding);
                else ThrowIfFailed(outstanding);
            }

            AwaitAll(outstanding);
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
    /// Finishes a sent line and marks its end on the board (also when it never ran: a crashed host, the timeline's
    /// end), so that the lines after it at its instant never wait longer than they must.
    /// </summary>
    private async Task Complete(string host, TimedLine line, SentCall? sent, int slot, CancellationToken ct)
    {
        AgentCall? call = sent is not null ? await Finish(host, line, sent, ct).ConfigureAwait(false) : null;
        long end = MonotonicClock.NowNs();
        if (call is { } c)
        {
            // Waiting for a replacement agent (after kill) is waiting for the host, not the lab's lateness.
            long allowed = Math.Max(c.Ready, _session.Hosts[host].AgentReadyNs);
            Late(line, c.Start - allowed);
            end = c.End;
        }

        MarkEndedAndRecorded(slot, end);
    }

    /// <summary>
    /// A host call's end on the board (<paramref name="endNs"/>, for the lines after it at its instant), then that the
    /// runner has recorded it (for runner lines that name its sockets, <see cref="WaitForRecords"/>), in that order.
    /// </summary>
    private void MarkEndedAndRecorded(int slot, long endNs)
    {
        Board.Mark(slot, endNs);
        Volatile.Write(ref _recorded[slot], MonotonicClock.NowNs());
    }

    private static void AwaitAll(List<Task> calls)
    {
        foreach (Task t in calls) t.GetAwaiter().GetResult();
        calls.Clear();
    }

    private static void ThrowIfFailed(List<Task> calls)
    {
        foreach (Task t in calls)
        {
            if (t.IsFaulted || t.IsCanceled) t.GetAwaiter().GetResult();
        }

        calls.RemoveAll(t => t.IsCompletedSuccessfully);
    }

    /// <summary>A call as its agent ran it: when it could start (its time, the agent's previous call, the lines before it), started and ended.</summary>
    private readonly record struct AgentCall(long Ready, long Start, long End);

    /// <summary>What a call waits for before it starts: the board slots of the lines before it at its instant, at most until <paramref name="DeadlineNs"/>.</summary>
    private sealed record Gate(int[] After, long DeadlineNs);

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

    private async Task<AgentCall?> Perform(string hostName, TimedLine line, HostStatement st, CancellationToken ct, bool record = true) =>
        await Send(hostName, line, st, ct, dueNs: 0).ConfigureAwait(false) is { } sent ? await Finish(hostName, line, sent, ct, record).ConfigureAwait(false) : null;

    /// <summary>A request on its way to a host's agent (<see cref="Send"/>), to be finished in order (<see cref="Finish"/>).</summary>
    private sealed record SentCall(HostBoot Boot, AgentClient Agent, HostStatement Statement, KnownEnd? Creates, long SentNs, Task<AgentResponse> Reply, CancellationTokenSource UntilEnd);

    /// <summary>Sends a line's request to its host's agent (written before this returns); null when the host cannot take it.</summary>
    private async Task<SentCall?> Send(string hostName, TimedLine line, HostStatement st, CancellationToken ct, long dueNs, int slot = 0, Gate? gate = null)
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
        if (slot > 0 || gate is { After.Length: > 0 })
        {
            req.Board = Board.Path;
            req.Slot = slot;
            if (gate is { After.Length: > 0 })
            {
                req.After = gate.After;
                req.GateNs = gate.DeadlineNs;
            }
        }

        long sent = MonotonicClock.NowNs();
        if (creates is not null) creates.CreatedNs = Math.Max(sent, dueNs);
        var untilEnd = CancellationTokenSource.CreateLinkedTokenSource(ct, _ended.Token);
        return new SentCall(boot, agent, st, creates, sent, agent.CallAsync(req, CallTimeoutFrom(sent), untilEnd.Token), untilEnd);
    }

    /// <summary>Waits for a sent line's reply and records it: its start and end on the agent, or null when it never returned.</summary>
    private async Task<AgentCall?> Finish(string hostName, TimedLine line, SentCall call, CancellationToken ct, bool record = true)
    {
        LabHost host = _session.Hosts[hostName];
        (HostBoot boot, AgentClient agent, HostStatement st, KnownEnd? creates, long sent, _, CancellationTokenSource untilEnd) = call;
        AgentResponse r;
        using (untilEnd)
        {
            try
            {
                r = await call.Reply.ConfigureAwait(false);
                if (boot.CrashedNs != 0 && r.EndNs >= boot.CrashedNs)
                {
                    // The host crashed while the call was blocked, and its process died with it: the call never returned.
                    // The agent still replied because a crash's teardown destroys the sockets before it ends the agent (so
                    // that no exit sends FINs), and a connect blocked on a destroyed socket wakes with ECONNABORTED
                    // (fuzz seed 32000129).
                    Note(sent, $"{line.Where}: {hostName} crashed during '{line.Text.Trim()}'; it never returned");
                    return null;
                }
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

        if (creates is not null)
        {
            // The request left early and may have waited for its time and its instant: the socket is the call's from its start.
            creates.CreatedNs = r.StartNs;
            creates.CreatedEndNs = r.EndNs;
        }
        UpdateEndpoints(_ends, hostName, st, r);
        CallOutcome outcome = Outcome(st, r);
        if (record) Record(r.StartNs, new CallTraced(At(r.StartNs), line, hostName, At(r.EndNs), outcome));
        // A reply without the agent's ready instant (a fault before the call) is not the lab's lateness.
        return new AgentCall(r.ReadyNs == 0 ? r.StartNs : r.ReadyNs, r.StartNs, r.EndNs);
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
    private void SleepUntil(TimeSpan at, CancellationToken ct, long earlyNs = 0, bool spin = true)
    {
        long due = Due(at) - earlyNs;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            long now = MonotonicClock.NowNs();
            if (now >= due) return;
            if (due - now > 20_000_000) Linux.Interop.MonotonicSleep.Until(now + 20_000_000);
            else if (spin) Linux.Interop.MonotonicSleep.UntilSpinningYielding(due, SpinNs);
            else Linux.Interop.MonotonicSleep.Until(due);
        }
    }

    /// <summary>
    /// How long before a line's time the timeline thread stops sleeping and spins (yielding): a timer wake-up costs 50–100 µs
    /// here at the median, but waking an idle virtual CPU took up to 2–3 ms; the same as an agent's (AgentProgram.DueSpinNs).
    /// </summary>
    private const long SpinNs = AgentProgram.DueSpinNs;

    /// <summary>
    /// How long before a line's time its request is sent to the host's agent, which waits for the instant itself:
    /// more than the agent's own spin (<see cref="AgentProgram.DueSpinNs"/>), so that the runner's wake-up, the pipe
    /// and the agent's JSON are done before the agent starts spinning.
    /// </summary>
    private const long AgentLeadNs = 20_000_000;

    /// <summary>
    /// Moves the timeline's zero to the phase of the kernel's jiffies that the model's timer wheel assumes
    /// (<see cref="JiffyClock"/>): a jiffy that is a multiple of 512 (4096 for timelines past 129 s, where
    /// level-4 timers can come due), 3.5 ms into it at HZ 250, and one no other timeline of this process is playing
    /// (<see cref="TimelineZeros"/>). Up to 2 s (16 s) more lead, a grid step more per run already there. Returns a note.
    /// </summary>
    private string? AlignWithJiffies()
    {
        if (JiffyClock.Current is not { } clock) return "jiffies unknown (/proc/timer_list unreadable): the kernel's timers may run up to a wheel granularity from the model's";
        long modulus = _lastLineAt >= TimeSpan.FromSeconds(129) ? 4096 : 512;
        _t0 = TimelineZeros.Claim(_t0, from => clock.AlignedZero(from, modulus).ZeroNs);
        _zeroClaimed = true;
        long jiffy = clock.JiffyAt(_t0);
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

    /// <summary>
    /// Lines of one host sent to its agent together (<see cref="SameHostRun"/>), each with its board slot, and the
    /// slots of the lines before the first at its instant.
    /// </summary>
    private readonly record struct QueuedLine(TimedLine[] Lines, int[] Slots, int[] After);

    private TimeSpan At(long ns) => TimeSpan.FromTicks((ns - _t0) / 100);

    private void Record(long ns, TraceEntry entry) => _entries.Add((ns, Interlocked.Increment(ref _order), entry));

    private void Note(long ns, string text) => Record(ns, new NoteTraced(At(ns), text));
}
