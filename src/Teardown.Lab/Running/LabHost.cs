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
    private readonly List<(HostBoot Boot, Task Teardown)> _crashed = [];
    private HostBoot? _current;
    private int _generation = -1;
    private Dictionary<string, long> _counterOffset = new(StringComparer.OrdinalIgnoreCase);
    private Task _crashCounters = Task.CompletedTask;
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

    /// <summary>The agent holding this host's sockets, or null while crashed (or between kill and restart).</summary>
    public AgentClient? Agent => _current?.Agent;

    /// <summary>A task completing when a replacement agent (after <c>kill</c>) is ready.</summary>
    public Task? AgentRestart => _current?.AgentRestart;

    /// <summary>True while the host runs: false from the instant of a crash until its reboot.</summary>
    public bool IsUp => _current is not null;

    /// <summary>True while any boot of the host still has kernel state: the current one, or a crashed one being destroyed.</summary>
    public bool HasKernelState
    {
        get
        {
            if (_current is not null) return true;
            lock (_crashed) return _crashed.Any(c => c.Boot.HasKernelState);
        }
    }

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
            // None of them may outlive the run.
            foreach (Task<HostBoot> b in boots.Where(b => b.IsCompletedSuccessfully)) await b.Result.TearDownAsync(CleanupFailures).ConfigureAwait(false);
            throw;
        }

        // The lowest generation boots first, the others wait for the reboots in order.
        HostBoot[] ordered = [.. boots.Select(b => b.Result).OrderBy(b => b.Generation)];
        Install(ordered[0]);
        foreach (HostBoot b in ordered.Skip(1)) _standby.Enqueue(b);
    }

    private Task<HostBoot> BootAsync(CancellationToken ct) =>
        HostBoot.StartAsync(_ctx, Name, Address, Sysctls, Interlocked.Increment(ref _generation), _sparesWanted > 0, ct);

    private void Install(HostBoot boot)
    {
        _current = boot;
        _ctx.Wire.Attach(Name, Address, boot.Tun!, boot.Generation);
    }

    /// <summary>Takes the counters' baseline (scenario start).</summary>
    public void ResetCounters()
    {
        if (_current is not null) _current.Baseline = _current.ReadCounters();
        _counterOffset = new(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>TcpExt/Tcp counters counted from the scenario start (across reboots).</summary>
    public Dictionary<string, long> CountersSinceStart()
    {
        // Just crashed: the counters as the crash left them are being read off the timeline's path.
        if (!_crashCounters.IsCompleted) ((IAsyncResult)_crashCounters).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5));

        HostBoot? boot = _current;
        var d = boot is not null ? TcpMibCounters.Delta(boot.ReadCounters(), boot.Baseline) : new(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in _counterOffset) d[kv.Key] = d.GetValueOrDefault(kv.Key) + kv.Value;
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
        lock (_crashed) boots = [.. _crashed.Select(c => c.Boot).Where(b => b.HasKernelState)];
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
            if (_sparesWanted > 0) boot.SpareStarting = AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct, warmUp: false);
        }
        else
        {
            boot.Agent = null;
            Task<AgentClient>? starting = boot.SpareStarting;
            boot.SpareStarting = null;
            boot.AgentRestart = Task.Run(async () =>
            {
                boot.Agent = await (starting ?? AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct, warmUp: false)).ConfigureAwait(false);
                AgentReadyNs = MonotonicClock.NowNs();
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
        _current = null;
        if (boot is null) return Task.FromResult(MonotonicClock.NowNs());

        // The counters as the crash left them (read from inside the namespace: a thread hop, so off the path too;
        // nothing reaches a host that is off the wire meanwhile). A later boot counts on from them.
        Dictionary<string, long> offset = _counterOffset;
        Task counters = Task.Run(() =>
        {
            Dictionary<string, long> d = TcpMibCounters.Delta(boot.ReadCounters(), boot.Baseline);
            foreach (var kv in offset) d[kv.Key] = d.GetValueOrDefault(kv.Key) + kv.Value;
            _counterOffset = d;
        }, CancellationToken.None);
        _crashCounters = counters;
        Task<long> destroyed = Task.Run(async () =>
        {
            try { await counters.ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or InvalidOperationException) { lock (CleanupFailures) CleanupFailures.Add("counters at crash: " + e.Message); }

            await boot.TearDownAsync(CleanupFailures).ConfigureAwait(false);
            return MonotonicClock.NowNs();
        }, CancellationToken.None);
        lock (_crashed) _crashed.Add((boot, destroyed));
        return destroyed;
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
        if (current is not null) await current.TearDownAsync(CleanupFailures).ConfigureAwait(false);
        while (_standby.TryDequeue(out HostBoot? spare)) await spare.TearDownAsync(CleanupFailures).ConfigureAwait(false);
    }
}
