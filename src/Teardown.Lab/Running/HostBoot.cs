using System.Globalization;
using Teardown.Lab.Agent;
using Teardown.Lab.Namespaces;
using Teardown.Lab.Observation;
using Teardown.Lab.Wire;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Settings;

namespace Teardown.Lab.Running;

/// <summary>
/// One boot of a scenario host: a network namespace of its own, its TUN device and loopback tap, a sock_diag
/// socket from inside it, the agent process (and a spare for a coming <c>kill</c>), and the counters' baseline.
/// A host boots once before t=0, and once more, also before t=0, for every <c>reboot</c> the scenario has: a
/// reboot then only puts a ready boot on the wire, and no line waits for a namespace, a device or a process
/// start (issue 11). A crashed boot is torn down off the timeline's path while the next one already runs; the
/// wire tells their packets apart by <see cref="Generation"/>.
/// </summary>
internal sealed class HostBoot
{
    private readonly Lock _diagLock = new();
    private LabSockDiag? _diag;

    private HostBoot(int generation, string ns, NetNsThread nsThread)
    {
        Generation = generation;
        Namespace = ns;
        NsThread = nsThread;
    }

    public int Generation { get; }

    public string Namespace { get; }

    public NetNsThread NsThread { get; }

    public TunDevice? Tun { get; private set; }

    public LoopbackTap? Loopback { get; private set; }

    public AgentClient? Agent { get; set; }

    /// <summary>A warmed-up agent waiting to replace <see cref="Agent"/> at a <c>kill</c>.</summary>
    public AgentClient? Spare { get; set; }

    /// <summary>A further spare being started after a kill used the first one.</summary>
    public Task<AgentClient>? SpareStarting { get; set; }

    /// <summary>A task completing when a replacement agent (after <c>kill</c>, no spare ready) is in place.</summary>
    public Task? AgentRestart { get; set; }

    /// <summary>The counters when the scenario started counting on this boot (after the agent's warm-up).</summary>
    public Dictionary<string, long> Baseline { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When this boot crashed (CLOCK_MONOTONIC), 0 while it is up: a call that ended after it never returned to its process.</summary>
    public long CrashedNs { get; set; }

    /// <summary>
    /// Creates the namespace, TUN, sysctls, diag socket and agent (plus a spare when the host will be killed).
    /// Nothing it sends reaches the wire until the host attaches it (<see cref="UserspaceWire.Attach"/> with this
    /// boot's generation).
    /// </summary>
    public static async Task<HostBoot> StartAsync(LabContext ctx, string host, System.Net.IPAddress address, IReadOnlyList<KeyValuePair<string, string>> sysctls, int generation, bool withSpare, List<string> cleanupFailures, CancellationToken ct)
    {
        string ns = LabNamespaces.NameFor(Environment.ProcessId, ctx.RunId, host, generation);
        IpCommand.Run("netns", "add", ns);

        // Real-time: counters are read on it when an `expect … counter` line is due.
        var entered = NetNsThread.Start("/run/netns/" + ns, realTime: ctx.RealTime);
        if (!entered.IsOk)
        {
            IpCommand.TryRun("netns", "del", ns);
            throw new IOException($"/run/netns/{ns}: {entered.Error}");
        }

        var boot = new HostBoot(generation, ns, entered.Value);
        try
        {
            boot.Tun = TunDevice.Open(boot.NsThread, host, generation, ctx.Wire, ctx.RealTime);
            IpCommand.Run("-n", ns, "link", "set", "lo", "up");
            IpCommand.Run("-n", ns, "link", "set", TunDevice.DeviceName, "mtu", "1500", "up");
            IpCommand.Run("-n", ns, "addr", "add", address + "/24", "dev", TunDevice.DeviceName);
            IpCommand.Run("-n", ns, "route", "replace", "default", "dev", TunDevice.DeviceName);
            boot.NsThread.Invoke(() =>
            {
                // IPv6 would only add router solicitations to the wire; the scenario network is IPv4.
                TryWrite("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
                TryWrite("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
                // A per-run ephemeral port window keeps this run's 4-tuples apart from parallel runs'
                // (the inet_sock_set_state tracepoint carries no netns).
                WriteSysctl("net.ipv4.ip_local_port_range", ctx.PortLow.ToString(CultureInfo.InvariantCulture) + " " + ctx.PortHigh.ToString(CultureInfo.InvariantCulture));
                foreach (var kv in sysctls) WriteSysctl(kv.Key, kv.Value);
                return 0;
            });
            lock (boot._diagLock) boot._diag = boot.NsThread.Invoke(LabSockDiag.Open);

            // A scenario that kills this host's process gets a spare agent now, warmed up like the first: the
            // replacement is then in place the instant the kill is sent, not a process start (~0.2 s) later.
            // (Held as SpareStarting until ready, so that a failed start still tears it down.)
            boot.SpareStarting = withSpare ? AgentClient.StartAsync(ns, ctx.AgentCommand, ctx.AgentStartTimeout, ct, realTime: ctx.RealTime) : null;
            boot.Agent = await AgentClient.StartAsync(ns, ctx.AgentCommand, ctx.AgentStartTimeout, ct, realTime: ctx.RealTime).ConfigureAwait(false);
            if (boot.SpareStarting is { } spare)
            {
                boot.Spare = await spare.ConfigureAwait(false);
                boot.SpareStarting = null;
            }

            // Loopback is recorded from here: the agent's warm-up connection (over lo) is not the scenario's.
            boot.Loopback = LoopbackTap.Open(boot.NsThread, host, generation, ctx.Wire);

            // The agent's warm-up (a loopback connection) counts in this namespace: count from here, so that a
            // rebooted host adds only what the scenario does.
            boot.Baseline = boot.ReadCounters();
            return boot;
        }
        catch
        {
            await boot.TearDownAsync(cleanupFailures).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The sock_diag view of a connection end, or null if the kernel holds nothing for it.</summary>
    public DiagSocket? Lookup(System.Net.IPEndPoint local, System.Net.IPEndPoint remote)
    {
        lock (_diagLock) return _diag?.Lookup(local, remote);
    }

    /// <summary>SOCK_DESTROY of one connection end (see <see cref="LabSockDiag.DestroyEnd"/>).</summary>
    public Errno DestroyEnd(System.Net.IPEndPoint local, System.Net.IPEndPoint remote)
    {
        lock (_diagLock) return _diag is null ? Errno.ENOENT : _diag.DestroyEnd(local, remote);
    }

    /// <summary>Every TCP socket of this boot's kernel (empty once torn down).</summary>
    public IReadOnlyList<DiagSocket> Dump()
    {
        lock (_diagLock) return _diag is null ? [] : _diag.Dump();
    }

    /// <summary>TcpExt/Tcp counters of this boot's namespace, read from inside it.</summary>
    public Dictionary<string, long> ReadCounters() => NsThread.Invoke(() => TcpMibCounters.Parse(
        File.ReadAllText("/proc/thread-self/net/netstat"), File.ReadAllText("/proc/thread-self/net/snmp")));

    /// <summary>
    /// Destroys everything of this boot: sockets first (SOCK_DESTROY), then the agents, devices and namespace.
    /// What cannot be done is added to <paramref name="failures"/>, never thrown.
    /// </summary>
    public async Task TearDownAsync(List<string> failures)
    {
        if (SpareStarting is { } starting)
        {
            try { Spare ??= await starting.ConfigureAwait(false); }
            catch (Exception e) when (e is AgentExitedException or OperationCanceledException or TimeoutException or IOException) { }
            SpareStarting = null;
        }

        if (Spare is not null)
        {
            await Spare.DisposeAsync().ConfigureAwait(false);
            Spare = null;
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

        Tun?.Dispose();
        Tun = null;
        Loopback?.Dispose();
        Loopback = null;
        NsThread.Dispose();
        LabNamespaces.KillProcessesIn(Namespace);
        (int code, string error) = IpCommand.TryRun("netns", "del", Namespace);
        if (code != 0) lock (failures) failures.Add($"ip netns del {Namespace}: {error.Trim()}");
    }

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
}
