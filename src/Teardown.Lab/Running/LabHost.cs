using System.Net;
using Teardown.Lab.Agent;
using Teardown.Lab.Observation;
using Teardown.Lab.Wire;
using Teardown.Linux.Settings;

namespace Teardown.Lab.Running;

/// <summary>
/// One scenario host on the real kernel, across its boots (<see cref="HostBoot"/>): the current boot's
/// namespace, TUN device on the user-space wire, sock_diag socket and agent process, plus the boots prepared
/// for the scenario's reboots and the crashed ones still being torn down. <see cref="Crash"/> and
/// <see cref="Reboot"/> are instantaneous on the timeline.
/// </summary>
internal sealed class LabHost : IAsyncDisposable
{
    private readonly LabContext _ctx;
    private readonly int _reboots;
    private readonly Queue<HostBoot> _standby = new();
    private readonly List<(HostBoot Boot, Task<long> Teardown)> _crashed = [];
    // Written on the timeline's thread (crash, reboot), read by host workers, the poller and observers.
    private volatile HostBoot? _current;
    private int _generation = -1;

    // What crashed boots counted, summed (under _counterLock) by tasks reading them off the timeline's path.
    private readonly Lock _counterLock = new();
    private readonly Dictionary<string, long> _counterOffset = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _gaugesAtCrash = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _crashCounters = [];
    private int _sparesWanted;

    public LabHost(LabContext ctx, string name, IPAddress address, IReadOnlyList<KeyValuePair<string, string>> sysctls, int kills = 0, int reboots = 0)
    {
        _ctx = ctx;
        Name = name;
        Address = address;
        Sysctls = sysctls;
        _sparesWanted = kills;
        _reboots = reboots;
    }

    public string Name { get; }

    public IPAddress Address { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Sysctls { get; }

    /// <summary>The current boot's namespace name (changes on reboot), or null while crashed.</summary>
    public string? Namespace => _current?.Namespace;

    /// <summary>The boot running now, or null while crashed. A caller that waits reads it once and compares it again after.</summary>
    public HostBoot? Current => _current;

    /// <summary>The agent holding this host's sockets, or null while crashed (or between kill and restart).</summary>
    public AgentClient? Agent => _current?.Agent;

    /// <summary>True while the host runs: false from the instant of a crash until its reboot.</summary>
    public bool IsUp => _current is not null;

    /// <summary>When the current agent took over after a <c>kill</c> (CLOCK_MONOTONIC ns; 0 for the first agent).</summary>
    public long AgentReadyNs { get; private set; }

    /// <summary>What tearing this host down could not do (reported by the session, never thrown).</summary>
    public List<string> CleanupFailures { get; } = [];

    /// <summary>Boots the host and puts it on the wire; also prepares one boot per reboot the scenario has.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        Task<HostBoot>[] boots = Enumerable.Range(0, 1 + _reboots).Select(_ => BootAsync(ct)).ToArray();
        try
        {
            await Task.WhenAll(boots).ConfigureAwait(false);
        }
        catch
        {
            // None of them may outlive the run (DisposeAsync tears down what is installed or queued).
            foreach (Task<HostBoot> b in boots.Where(b => b.IsCompletedSuccessfully)) _standby.Enqueue(b.Result);
            throw;
        }

        // The lowest generation boots first, the others wait for the reboots in order.
        HostBoot[] ordered = [.. boots.Select(b => b.Result).OrderBy(b => b.Generation)];
        Install(ordered[0]);
        foreach (HostBoot b in ordered.Skip(1)) _standby.Enqueue(b);
    }

    private Task<HostBoot> BootAsync(CancellationToken ct) =>
        HostBoot.StartAsync(_ctx, Name, Address, Sysctls, Interlocked.Increment(ref _generation), _sparesWanted > 0, CleanupFailures, ct);

    private void Install(HostBoot boot)
    {
        _current = boot;
        _ctx.Wire.Attach(Name, Address, boot.Tun!, boot.Generation);
    }

    /// <summary>Takes the counters' baseline (scenario start).</summary>
    public void ResetCounters()
    {
        if (_current is { } boot) boot.Baseline = boot.ReadCounters();
        lock (_counterLock)
        {
            _counterOffset.Clear();
            _gaugesAtCrash.Clear();
        }
    }

    /// <summary>TcpExt/Tcp counters counted from the scenario start (across reboots).</summary>
    public Dictionary<string, long> CountersSinceStart()
    {
        // Just crashed: the counters as each crash left them are being read off the timeline's path.
        Task[] pending;
        lock (_counterLock) pending = [.. _crashCounters.Where(t => !t.IsCompleted)];
        Task.WaitAll(pending, TimeSpan.FromSeconds(5));

        HostBoot? boot = _current;
        var d = boot is not null ? TcpMibCounters.Delta(boot.ReadCounters(), boot.Baseline) : new(StringComparer.OrdinalIgnoreCase);
        lock (_counterLock)
        {
            foreach (var kv in _counterOffset) d[kv.Key] = d.GetValueOrDefault(kv.Key) + kv.Value;
            if (boot is null) foreach (var kv in _gaugesAtCrash) d[kv.Key] = kv.Value;
        }

        return d;
    }

    /// <summary>The sock_diag view of a connection end, or null if the kernel holds nothing for it.</summary>
    public DiagSocket? Lookup(IPEndPoint local, IPEndPoint remote) => _current?.Lookup(local, remote);

    /// <summary><c>HOST destroy S</c>: SOCK_DESTROY of one connection end, by 4-tuple and cookie (see <see cref="LabSockDiag.DestroyEnd"/>).</summary>
    public Errno DestroyEnd(IPEndPoint local, IPEndPoint remote) => _current?.DestroyEnd(local, remote) ?? Errno.ENOENT;

    /// <summary>
    /// Every TCP socket of the host's kernel: the current boot's, and those a crashed boot still holds while
    /// it is being destroyed (their deaths are the crash's, and only polling sees a timewait socket die).
    /// </summary>
    public IReadOnlyList<DiagSocket> Dump()
    {
        List<HostBoot> boots;
        lock (_crashed) boots = [.. _crashed.Where(c => !c.Teardown.IsCompleted).Select(c => c.Boot)];
        if (_current is { } now) boots.Add(now);
        return boots.Count == 1 ? boots[0].Dump() : [.. boots.SelectMany(b => b.Dump())];
    }

    /// <summary>
    /// <c>HOST kill</c>: SIGKILL the agent now and put the spare in its place (or start a replacement in the
    /// background when there is none). Returns when the signal was sent (CLOCK_MONOTONIC ns) and a task that
    /// completes when the killed process has exited — its descriptors closed — off the timeline's path.
    /// </summary>
    public (long Signalled, Task<long> Exited) KillAgent(CancellationToken ct)
    {
        long now = MonotonicClock.NowNs();
        HostBoot? boot = _current;
        if (boot?.Agent is null) return (now, Task.FromResult(now));
        AgentClient dead = boot.Agent;
        long signalled = dead.Signal();
        _sparesWanted--;
        string ns = boot.Namespace;
        if (boot.Spare is not null)
        {
            boot.Agent = boot.Spare;
            boot.Spare = null;
            AgentReadyNs = MonotonicClock.NowNs();

            // More kills to come: the next spare starts now, without the warm-up (its loopback connection would
            // count in the host's counters mid-scenario).
            if (_sparesWanted > 0) boot.SpareStarting = AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct, warmUp: false, realTime: _ctx.RealTime);
        }
        else
        {
            boot.Agent = null;
            Task<AgentClient>? starting = boot.SpareStarting;
            boot.SpareStarting = null;
            boot.AgentRestart = Task.Run(async () =>
            {
                boot.Agent = await (starting ?? AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct, warmUp: false, realTime: _ctx.RealTime)).ConfigureAwait(false);
                if (_current == boot) AgentReadyNs = MonotonicClock.NowNs(); // not when the boot has crashed meanwhile
            }, ct);
        }

        Task<long> exited = Task.Run(async () =>
        {
            await dead.DisposeAsync().ConfigureAwait(false);
            return MonotonicClock.NowNs();
        }, CancellationToken.None);
        return (signalled, exited);
    }

    /// <summary>
    /// <c>HOST crash</c>, at once: the wire stops carrying anything to or from the host and the host counts as
    /// down. Its kernel state is then destroyed off the caller's path (agent killed, every socket
    /// SOCK_DESTROYed, namespace deleted; tens of milliseconds) — the resets tcp_abort sends go nowhere because
    /// the host is already off the wire. The task completes (CLOCK_MONOTONIC ns) when all of it is gone.
    /// </summary>
    public Task<long> Crash()
    {
        _ctx.Wire.Detach(Name);
        HostBoot? boot = _current;
        if (boot is null) return Task.FromResult(MonotonicClock.NowNs());
        boot.CrashedNs = MonotonicClock.NowNs();

        // The counters as the crash left them (read from inside the namespace: a thread hop, so off the path too;
        // nothing reaches a host that is off the wire meanwhile), added to what earlier boots counted.
        Task counters = Task.Run(() =>
        {
            Dictionary<string, long> d = TcpMibCounters.Delta(boot.ReadCounters(), boot.Baseline);
            lock (_counterLock)
            {
                foreach (var kv in d)
                {
                    // A gauge (CurrEstab) is what the crashed kernel last held, shown while the host is down; never summed.
                    if (TcpMibCounters.IsGauge(kv.Key)) _gaugesAtCrash[kv.Key] = kv.Value;
                    else _counterOffset[kv.Key] = _counterOffset.GetValueOrDefault(kv.Key) + kv.Value;
                }
            }
        }, CancellationToken.None);
        lock (_counterLock) _crashCounters.Add(counters);

        // Its processes die off the path, and as ordinary threads: a real-time agent's exit held a core for milliseconds.
        foreach (Agent.AgentClient? a in (Agent.AgentClient?[])[boot.Agent, boot.Spare])
        {
            if (a is { HasExited: false }) Linux.Interop.SchedulingBoost.OrdinaryProcess(a.Pid);
        }
        var tornDown = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Listed before the host counts as down: Dump (the poller) sees the boot's sockets until they are gone.
        lock (_crashed) _crashed.Add((boot, tornDown.Task));
        _current = null;
        _ = Task.Run(async () =>
        {
            try
            {
                try { await counters.ConfigureAwait(false); }
                catch (Exception e) when (e is IOException or InvalidOperationException) { lock (CleanupFailures) CleanupFailures.Add("counters at crash: " + e.Message); }

                await boot.TearDownAsync(CleanupFailures).ConfigureAwait(false);
                tornDown.SetResult(MonotonicClock.NowNs());
            }
            catch (Exception e)
            {
                // Whatever it was, the task must end: the run waits for its crashes' teardowns (ScenarioPlayer).
                tornDown.SetException(e);
            }
        }, CancellationToken.None);
        return tornDown.Task;
    }

    /// <summary>
    /// <c>HOST reboot</c> after a crash: a fresh kernel at the same address, at once — the boot prepared for it
    /// before t=0 goes on the wire (the crashed one is still being destroyed off the path, apart on the wire by
    /// its generation). Without a prepared boot (more reboots than the scenario declared) one is made now.
    /// </summary>
    public async Task RebootAsync(CancellationToken ct)
    {
        if (_current is not null) return;
        HostBoot boot = _standby.Count > 0 ? _standby.Dequeue() : await BootAsync(ct).ConfigureAwait(false);
        AgentReadyNs = 0;
        Install(boot);
    }

    public async ValueTask DisposeAsync()
    {
        _ctx.Wire.Detach(Name);
        Task[] teardowns;
        lock (_crashed) teardowns = [.. _crashed.Select(c => c.Teardown)];
        foreach (Task t in teardowns)
        {
            try { await t.ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or InvalidOperationException or AgentExitedException) { lock (CleanupFailures) CleanupFailures.Add("crash teardown: " + e.Message); }
        }

        HostBoot? current = _current;
        _current = null;
        try
        {
            if (current is not null) await current.TearDownAsync(CleanupFailures).ConfigureAwait(false);
        }
        finally
        {
            // Each prepared boot is torn down even when another's teardown failed.
            while (_standby.TryDequeue(out HostBoot? spare))
            {
                try { await spare.TearDownAsync(CleanupFailures).ConfigureAwait(false); }
                catch (Exception e) when (e is IOException or InvalidOperationException or AgentExitedException) { lock (CleanupFailures) CleanupFailures.Add($"boot {spare.Namespace}: {e.Message}"); }
            }
        }
    }
}
