using System.Net;
using Teardown.Model;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Running;

/// <summary>
/// Plays a scenario on the deterministic model: each host is a modelled kernel, the timeline runs on the
/// virtual clock, and the same seed always gives the same trace.
/// </summary>
public sealed class ModelTarget : IScenarioTarget
{
    public ModelTarget(ulong seed = 1) => Seed = seed;

    public string Name => "model";

    /// <summary>Seeds ISNs and ephemeral ports.</summary>
    public ulong Seed { get; }

    public Task<ScenarioTrace> PlayAsync(Scenario scenario, CancellationToken cancellationToken) =>
        Task.FromResult(Play(scenario, cancellationToken));

    public ScenarioTrace Play(Scenario scenario, CancellationToken cancellationToken = default)
    {
        var run = new ModelRun(scenario, Seed);
        return run.Play(cancellationToken);
    }
}

/// <summary>One play of one scenario on the model.</summary>
internal sealed class ModelRun
{
    private readonly Scenario _scenario;
    private readonly ModelTraceRecorder _recorder = new();
    private readonly Simulator _sim;
    private readonly Dictionary<string, Host> _hosts = [];
    private readonly Dictionary<string, (string Host, int Fd, FourTuple Tuple, TcpSocket? Socket)> _sockets = [];
    private readonly Dictionary<(string Host, FourTuple Tuple), string> _names = [];
    private readonly Dictionary<string, Queue<TimedLine>> _deferred = [];
    private readonly Dictionary<PendingCall, TimedLine> _blockedLines = [];
    private readonly ScenarioTrace _trace;

    /// <summary>
    /// How much larger than the model's a kernel's RTT sample may be when the scenario runs on the lab: two
    /// jiffies (HZ=250). The userspace wire adds tens of microseconds, milliseconds on a loaded machine; an RTO
    /// is rounded up to jiffies (usecs_to_jiffies), so below ~4 ms nothing changes and each 4 ms more adds a
    /// jiffy, doubled at every backoff. Carried in observations' timer lateness for the comparison only.
    /// </summary>
    internal static readonly SimDuration LabRttExcess = SimDuration.FromMilliseconds(8);

    public ModelRun(Scenario scenario, ulong seed)
    {
        _scenario = scenario;
        _trace = new ScenarioTrace(scenario, TargetKind.Model);
        _sim = new Simulator(new DeterministicRandom(seed), _recorder) { RttExcessBound = LabRttExcess };
        foreach (var h in scenario.Hosts)
        {
            var settings = new KernelSettings();
            foreach (var sc in scenario.Sysctls.Where(s => s.Host == h.Name))
            {
                if (!settings.TryApply(sc.Key, sc.Value, out string? error))
                {
                    _recorder.Add(new NoteTraced(TimeSpan.Zero, $"{h.Name}: sysctl {sc.Key} ignored by the model: {error}"));
                }
            }

            _hosts[h.Name] = _sim.AddHost(h.Name, ToUInt(h.Address), settings);
            _deferred[h.Name] = new Queue<TimedLine>();
        }

        foreach (var link in scenario.Links)
        {
            _sim.Network.SetDelay(_hosts[link.A].Address, _hosts[link.B].Address, SimDuration.FromTimeSpan(link.Delay));
        }
    }

    public ScenarioTrace Play(CancellationToken cancellationToken)
    {
        foreach (var line in _scenario.Timeline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AdvanceTo(SimTime.FromTimeSpan(line.At));
            // A kill is a signal from outside: it does not wait for a blocked call, it ends it. Release and destroy
            // come from another process: they do not wait either.
            if (line.Statement is HostStatement { FromOutside: false } hs && (_hosts[hs.Host].Blocked is not null || _deferred[hs.Host].Count > 0))
            {
                _deferred[hs.Host].Enqueue(line);
                continue;
            }

            Execute(line);
        }

        foreach (var (host, queue) in _deferred)
        {
            foreach (var line in queue)
            {
                _recorder.Add(new NoteTraced(line.At, $"{host} was still blocked: line {line.Where.Line} never ran"));
            }
        }

        foreach (var (call, line) in _blockedLines.OrderBy(b => b.Value.Where.Line))
        {
            _recorder.Add(new CallBlockedTraced(_sim.Now.ToTimeSpan(), line, ((HostStatement)line.Statement).Host, call.Started.ToTimeSpan()));
        }

        _recorder.Flush(_trace, NameOf);
        return _trace;
    }

    /// <summary>Runs the model up to <paramref name="time"/>, letting unblocked hosts run their waiting lines.</summary>
    private void AdvanceTo(SimTime time)
    {
        while (_sim.NextEventTime <= time)
        {
            _sim.Step();
            DrainCompletedCalls();
        }

        _sim.RunUntil(time);
        DrainCompletedCalls();
    }

    private void DrainCompletedCalls()
    {
        while (_recorder.CompletedCalls.Count > 0)
        {
            var (host, call) = _recorder.CompletedCalls[0];
            _recorder.CompletedCalls.RemoveAt(0);
            if (_blockedLines.Remove(call, out var line))
            {
                Record(line, host.Name, call.Started, call.CompletedAt, call.Result);
            }

            var queue = _deferred[host.Name];
            while (queue.Count > 0 && host.Blocked is null)
            {
                Execute(queue.Dequeue());
            }
        }
    }

    private void Execute(TimedLine line)
    {
        SimTime now = _sim.Now;
        switch (line.Statement)
        {
            case HostStatement hs:
                ExecuteCall(line, hs, now);
                break;
            case NetworkStatement ns:
                ExecuteNetwork(ns);
                _recorder.Add(new NetworkEventTraced(now.ToTimeSpan(), line));
                break;
            case Expectation e:
                _recorder.Add(new ObservationTraced(now.ToTimeSpan(), line, Observe(e)));
                break;
        }
    }

    private void ExecuteCall(TimedLine line, HostStatement statement, SimTime now)
    {
        Host host = _hosts[statement.Host];
        SyscallResult result;
        switch (statement)
        {
            case ListenCall l:
                result = host.Listen(l.Port, l.Backlog ?? 128);
                if (!result.Failed) Bind(l.Listener, host, (int)result.Value);
                result = result.Failed ? result : SyscallResult.Ok();
                break;
            case ConnectCall c:
            {
                PendingCall call = host.Connect(ToUInt(_scenario.Host(c.Peer).Address), c.Port, out int fd);
                if (fd >= 0) Bind(c.Socket, host, fd);
                if (!call.Completed)
                {
                    _blockedLines[call] = line;
                    return;
                }

                result = call.Result;
                break;
            }

            case AcceptCall a:
                result = host.Accept(FdOf(a.Listener));
                if (!result.Failed)
                {
                    Bind(a.Socket, host, (int)result.Value);
                    result = SyscallResult.Ok();
                }

                break;
            case SendCall s:
                result = host.Send(FdOf(s.Socket), s.Bytes);
                break;
            case RecvCall r:
                result = host.Recv(FdOf(r.Socket), r.Bytes);
                break;
            case ShutdownCall sh:
                result = host.Shutdown(FdOf(sh.Socket), sh.How switch
                {
                    ShutdownHow.Read => ShutdownFlags.Receive,
                    ShutdownHow.Write => ShutdownFlags.Send,
                    _ => ShutdownFlags.Both,
                });
                break;
            case CloseCall cl:
            {
                PendingCall call = host.Close(FdOf(cl.Socket));
                if (!call.Completed)
                {
                    _blockedLines[call] = line;
                    return;
                }

                result = call.Result;
                break;
            }

            case ErrorCall er:
            {
                result = host.GetError(FdOf(er.Socket), out Errno err);
                if (!result.Failed)
                {
                    Record(line, host.Name, now, now, new SyscallResult((long)err, err));
                    return;
                }

                break;
            }

            case SetSockOptCall so:
                result = SetOption(host, so);
                break;
            case KillCall:
                _deferred[host.Name].Clear();
                foreach (var (call, blockedLine) in _blockedLines.Where(b => ((HostStatement)b.Value.Statement).Host == host.Name).ToList())
                {
                    // The process dies inside the call: it never returns.
                    _blockedLines.Remove(call);
                    _recorder.Add(new NoteTraced(now.ToTimeSpan(), $"line {blockedLine.Where.Line} never returned: {host.Name} was killed"));
                }

                host.Kill();
                result = SyscallResult.Ok();
                break;
            case ReleaseCall rl:
                result = host.ReleaseWrite(FdOf(rl.Socket));
                break;
            case DestroyCall d:
                result = _sockets.TryGetValue(d.Socket, out var end) ? host.SockDestroy(end.Tuple) : SyscallResult.Fail(Errno.ENOENT);
                break;
            default:
                throw new InvalidOperationException($"unknown statement {statement.GetType().Name}");
        }

        Record(line, host.Name, now, now, result);
    }

    private SyscallResult SetOption(Host host, SetSockOptCall so) => host.SetOption(FdOf(so.Socket), so.Option, so.On, (int)so.Value);

    private void ExecuteNetwork(NetworkStatement statement)
    {
        switch (statement)
        {
            case NetDrop d:
                SetDropping(d.From, d.To, d.BothWays, true);
                break;
            case NetPass p:
                SetDropping(p.From, p.To, p.BothWays, false);
                break;
            case NetDelay nd:
                _sim.Network.SetDelay(_hosts[nd.A].Address, _hosts[nd.B].Address, SimDuration.FromTimeSpan(nd.Delay));
                break;
            case CrashHost c:
                _hosts[c.Host].Crash();
                _deferred[c.Host].Clear();
                break;
            case RebootHost r:
                _hosts[r.Host].Reboot();
                break;
        }
    }

    private void SetDropping(string from, string to, bool bothWays, bool dropping)
    {
        _sim.Network.SetDropping(_hosts[from].Address, _hosts[to].Address, dropping);
        if (bothWays) _sim.Network.SetDropping(_hosts[to].Address, _hosts[from].Address, dropping);
    }

    private Observation Observe(Expectation e)
    {
        switch (e)
        {
            case ExpectSocket es:
            {
                if (!_sockets.TryGetValue(es.Socket, out var sock)) return EndObservation.Gone;
                EndView v = _hosts[sock.Host].Inspect(sock.Tuple);
                return new EndObservation(v.State, v.Timer, v.Expires?.ToTimeSpan(), v.RecvQ, v.SendQ, v.Orphan, v.ExpiresLateness.ToTimeSpan());
            }

            case ExpectCounter ec:
                if (MibNames.TryParse(ec.Counter, out Mib mib)) return new CounterObservation(_hosts[ec.Host].Counter(mib));
                _recorder.Add(new NoteTraced(_sim.Now.ToTimeSpan(), $"the model keeps no counter named {ec.Counter}"));
                return new CounterObservation(-1);
            case ExpectPackets ep:
                return new PacketsObservation(_recorder.TakePackets(ep.From, ep.To));
            default:
                throw new InvalidOperationException($"unknown expectation {e.GetType().Name}");
        }
    }

    private void Bind(string name, Host host, int fd)
    {
        FourTuple tuple = host.TupleOf(fd) ?? default;
        _sockets[name] = (host.Name, fd, tuple, host.SocketOf(fd));
        _names[(host.Name, tuple)] = name;
    }

    /// <summary>
    /// The descriptor that holds the named socket, or -1 once the process no longer holds it: after close the
    /// number may serve a later socket, which a call on the old name must not reach (the agent answers EBADF).
    /// </summary>
    private int FdOf(string socketName) =>
        _sockets.TryGetValue(socketName, out var s) && ReferenceEquals(_hosts[s.Host].SocketOf(s.Fd), s.Socket) ? s.Fd : -1;

    private string NameOf(string host, FourTuple tuple) =>
        _names.TryGetValue((host, tuple), out string? name) ? name : tuple.ToString();

    private void Record(TimedLine line, string host, SimTime started, SimTime returned, SyscallResult result) =>
        _recorder.Add(new CallTraced(started.ToTimeSpan(), line, host, returned.ToTimeSpan(), new CallOutcome(result.Value, result.Errno)));

    private static uint ToUInt(IPAddress address) => Addr.FromBytes(address.GetAddressBytes());
}
