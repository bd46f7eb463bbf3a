using System.Globalization;
using System.Net;
using Teardown.Lab.Agent;
using Teardown.Lab.Namespaces;
using Teardown.Lab.Observation;
using Teardown.Lab.Wire;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Settings;

namespace Teardown.Lab.Running;

/// <summary>
/// One scenario host on the real kernel: a network namespace of its own, a TUN device on the user-space
/// wire, a sock_diag socket and /proc access from inside the namespace, and the agent process holding the
/// host's sockets. <see cref="CrashAsync"/> and <see cref="StartAsync"/> implement crash and reboot.
/// </summary>
internal sealed class LabHost : IAsyncDisposable
{
    private readonly LabContext _ctx;
    private NetNsThread? _nsThread;
    private TunDevice? _tun;
    private LoopbackTap? _loopback;
    private readonly Lock _diagLock = new();
    private LabSockDiag? _diag;
    private int _generation = -1;
    private Dictionary<string, long> _counterOffset = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, long> _baseline = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _down;
    private Task _teardown = Task.CompletedTask;
    private AgentClient? _spare;
    private Task<AgentClient>? _spareStarting;
    private int _sparesWanted;

    public LabHost(LabContext ctx, string name, IPAddress address, IReadOnlyList<KeyValuePair<string, string>> sysctls, int kills = 0)
    {
        _ctx = ctx;
        Name = name;
        Address = address;
        Sysctls = sysctls;
        _sparesWanted = kills;
    }

    public string Name { get; }

    public IPAddress Address { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Sysctls { get; }

    /// <summary>The current namespace name (changes on reboot), or null while crashed.</summary>
    public string? Namespace { get; private set; }

    /// <summary>The agent holding this host's sockets, or null while crashed (or between kill and restart).</summary>
    public AgentClient? Agent { get; private set; }

    /// <summary>A task completing when a replacement agent (after <c>kill</c>) is ready.</summary>
    public Task? AgentRestart { get; private set; }

    /// <summary>True while the host runs: false from the instant of a crash (even while its state is still being destroyed).</summary>
    public bool IsUp => Namespace is not null && !_down;

    /// <summary>When the current agent took over after a <c>kill</c> (CLOCK_MONOTONIC ns; 0 for the first agent).</summary>
    public long AgentReadyNs { get; private set; }

    /// <summary>What tearing this host down could not do (reported by the session, never thrown).</summary>
    public List<string> CleanupFailures { get; } = [];

    /// <summary>Creates (or re-creates after a crash) the namespace, TUN, sysctls and agent.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _generation++;
        string ns = LabNamespaces.NameFor(Environment.ProcessId, _ctx.RunId, Name, _generation);
        IpCommand.Run("netns", "add", ns);
        Namespace = ns;
        // Real-time: counters are read on it when an `expect … counter` line is due.
        var entered = NetNsThread.Start("/run/netns/" + ns, realTime: true);
        _nsThread = entered.IsOk ? entered.Value : throw new IOException($"/run/netns/{ns}: {entered.Error}");
        _tun = TunDevice.Open(_nsThread, Name, _ctx.Wire);
        IpCommand.Run("-n", ns, "link", "set", "lo", "up");
        IpCommand.Run("-n", ns, "link", "set", TunDevice.DeviceName, "mtu", "1500", "up");
        IpCommand.Run("-n", ns, "addr", "add", Address + "/24", "dev", TunDevice.DeviceName);
        IpCommand.Run("-n", ns, "route", "replace", "default", "dev", TunDevice.DeviceName);
        _nsThread.Invoke(() =>
        {
            // IPv6 would only add router solicitations to the wire; the scenario network is IPv4.
            TryWrite("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
            TryWrite("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
            // A per-run ephemeral port window keeps this run's 4-tuples apart from parallel runs'
            // (the inet_sock_set_state tracepoint carries no netns).
            WriteSysctl("net.ipv4.ip_local_port_range", _ctx.PortLow.ToString(CultureInfo.InvariantCulture) + " " + _ctx.PortHigh.ToString(CultureInfo.InvariantCulture));
            foreach (var kv in Sysctls) WriteSysctl(kv.Key, kv.Value);
            return 0;
        });
        lock (_diagLock) _diag = _nsThread.Invoke(LabSockDiag.Open);
        _ctx.Wire.Attach(Name, Address, _tun);
        // A scenario that kills this host's process gets a spare agent now, warmed up like the first: the
        // replacement is then in place the instant the kill is sent, not a process start (~0.2 s) later.
        Task<AgentClient>? spare = _sparesWanted > 0 ? AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct) : null;
        Agent = await AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct).ConfigureAwait(false);
        if (spare is not null) _spare = await spare.ConfigureAwait(false);

        // Loopback is recorded from here: the agent's warm-up connection (over lo) is not the scenario's,
        // also when a rebooted host's agent warms up in the middle of a run.
        _loopback = LoopbackTap.Open(_nsThread, Name, _ctx.Wire);

        // The agent's warm-up (a loopback connection) counts in this namespace: count from here, so that a
        // rebooted host adds only what the scenario does (the offset keeps what came before the crash).
        _baseline = ReadCounters();
    }

    /// <summary>Takes the counters' baseline (scenario start).</summary>
    public void ResetCounters()
    {
        _baseline = ReadCounters();
        _counterOffset = new(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>TcpExt/Tcp counters counted from the scenario start (across reboots).</summary>
    public Dictionary<string, long> CountersSinceStart()
    {
        // Just crashed: the counters as the crash left them are being read off the timeline's path.
        if (_down && !_teardown.IsCompleted) ((IAsyncResult)_teardown).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5));

        var d = IsUp ? TcpMibCounters.Delta(ReadCounters(), _baseline) : new(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in _counterOffset) d[kv.Key] = d.GetValueOrDefault(kv.Key) + kv.Value;
        return d;
    }

    /// <summary>The sock_diag view of a connection end, or null if the kernel holds nothing for it.</summary>
    public DiagSocket? Lookup(IPEndPoint local, IPEndPoint remote)
    {
        lock (_diagLock) return _diag?.Lookup(local, remote);
    }

    /// <summary><c>HOST destroy S</c>: SOCK_DESTROY of one connection end, by 4-tuple and cookie (see <see cref="LabSockDiag.DestroyEnd"/>).</summary>
    public Errno DestroyEnd(IPEndPoint local, IPEndPoint remote)
    {
        lock (_diagLock) return _diag is null ? Errno.ENOENT : _diag.DestroyEnd(local, remote);
    }

    /// <summary>Every TCP socket of the host's kernel (empty while crashed).</summary>
    public IReadOnlyList<DiagSocket> Dump()
    {
        lock (_diagLock) return _diag is null ? [] : _diag.Dump();
    }

    /// <summary>
    /// <c>HOST kill</c>: SIGKILL the agent now and put the spare in its place (or start a replacement in the
    /// background when there is none). Returns when the signal was sent (CLOCK_MONOTONIC ns) and a task that
    /// completes when the killed process has exited — its descriptors closed — off the timeline's path.
    /// </summary>
    public (long Signalled, Task<long> Exited) KillAgent(CancellationToken ct)
    {
        long now = MonotonicClock.NowNs();
        if (Agent is null) return (now, Task.FromResult(now));
        AgentClient dead = Agent;
        long signalled = dead.Signal();
        _sparesWanted--;
        string ns = Namespace!;
        if (_spare is not null)
        {
            Agent = _spare;
            _spare = null;
            AgentReadyNs = MonotonicClock.NowNs();

            // More kills to come: the next spare starts now, without the warm-up (its loopback connection would
            // count in the host's counters mid-scenario).
            if (_sparesWanted > 0) _spareStarting = AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct, warmUp: false);
        }
        else
        {
            Agent = null;
            Task<AgentClient>? starting = _spareStarting;
            _spareStarting = null;
            AgentRestart = Task.Run(async () =>
            {
                Agent = await (starting ?? AgentClient.StartAsync(ns, _ctx.AgentCommand, _ctx.AgentStartTimeout, ct, warmUp: false)).ConfigureAwait(false);
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
        bool wasUp = IsUp;
        Dictionary<string, long> baseline = _baseline;

        // A rebooted host starts with fresh counters (a new namespace): its baseline is zero.
        _baseline = new(StringComparer.OrdinalIgnoreCase);
        _down = true;
        Task<long> destroyed = Task.Run(async () =>
        {
            // The counters as the crash left them (read from inside the namespace: a thread hop, so off the path too;
            // nothing reaches a host that is off the wire meanwhile).
            if (wasUp)
            {
                Dictionary<string, long> d = TcpMibCounters.Delta(ReadCounters(), baseline);
                foreach (var kv in _counterOffset) d[kv.Key] = d.GetValueOrDefault(kv.Key) + kv.Value;
                _counterOffset = d;
            }

            await TearDownAsync().ConfigureAwait(false);
            return MonotonicClock.NowNs();
        }, CancellationToken.None);
        _teardown = destroyed;
        return destroyed;
    }

    /// <summary><c>HOST reboot</c> after a crash: once the old state is gone, a fresh namespace, TUN and agent at the same address.</summary>
    public async Task RebootAsync(CancellationToken ct)
    {
        await _teardown.ConfigureAwait(false);
        _down = false;
        await StartAsync(ct).ConfigureAwait(false);
    }

    private async Task TearDownAsync()
    {
        foreach (Task<AgentClient>? t in (Task<AgentClient>?[])[_spareStarting])
        {
            if (t is null) continue;
            try { _spare ??= await t.ConfigureAwait(false); }
            catch (Exception e) when (e is AgentExitedException or OperationCanceledException or TimeoutException or IOException) { }
        }

        _spareStarting = null;
        if (_spare is not null)
        {
            await _spare.DisposeAsync().ConfigureAwait(false);
            _spare = null;
        }

        if (AgentRestart is not null)
        {
            try { await AgentRestart.ConfigureAwait(false); }
            catch (Exception e) when (e is AgentExitedException or OperationCanceledException or TimeoutException or IOException) { }
            AgentRestart = null;
        }

        // Sockets first, then the agent: a process exit would send FINs (and show FIN_WAIT1) before the
        // state is lost, which is not what a crash does.
        lock (_diagLock)
        {
            if (_diag is not null)
            {
                try
                {
                    foreach (DiagSocket s in _diag.Dump()) _diag.Destroy(s);
                }
                catch (IOException)
                {
                    // Best effort: deleting the namespace below purges what is left.
                }

                _diag.Dispose();
                _diag = null;
            }
        }

        if (Agent is not null)
        {
            await Agent.DisposeAsync().ConfigureAwait(false);
            Agent = null;
        }

        _tun?.Dispose();
        _tun = null;
        _loopback?.Dispose();
        _loopback = null;
        _nsThread?.Dispose();
        _nsThread = null;
        if (Namespace is not null)
        {
            LabNamespaces.KillProcessesIn(Namespace);
            (int code, string error) = IpCommand.TryRun("netns", "del", Namespace);
            if (code != 0) CleanupFailures.Add($"ip netns del {Namespace}: {error.Trim()}");
            Namespace = null;
        }
    }

    private Dictionary<string, long> ReadCounters() => _nsThread!.Invoke(() => TcpMibCounters.Parse(
        File.ReadAllText("/proc/thread-self/net/netstat"), File.ReadAllText("/proc/thread-self/net/snmp")));

    private static void WriteSysctl(string key, string value)
    {
        string path = "/proc/sys/" + key.Replace('.', '/');
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LabRunException($"cannot set sysctl {key}={value}: {e.Message}", e);
        }
    }

    private static void TryWrite(string path, string value)
    {
        try { File.WriteAllText(path, value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _ctx.Wire.Detach(Name);
        try { await _teardown.ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or InvalidOperationException or AgentExitedException) { CleanupFailures.Add("crash teardown: " + e.Message); }

        await TearDownAsync().ConfigureAwait(false);
    }
}
