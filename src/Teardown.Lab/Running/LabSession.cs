using System.Globalization;
using Teardown.Lab.Namespaces;
using Teardown.Lab.Observation;
using Teardown.Lab.Wire;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Running;

/// <summary>
/// Everything one kernel run creates — wire, host namespaces with TUN devices and agents, tracefs
/// instance, poller — and removes on dispose, whatever happened (failed scenario, dead agent, hung call,
/// cancellation). Creation failing half-way disposes what was made.
/// </summary>
internal sealed class LabSession : IAsyncDisposable
{
    private readonly Dictionary<string, LabHost> _hosts = new(StringComparer.Ordinal);
    private readonly List<Exception> _cleanupErrors = [];

    private LabSession(LabContext context) => Context = context;

    public LabContext Context { get; }

    public IReadOnlyDictionary<string, LabHost> Hosts => _hosts;

    public StateTracer? Tracer { get; private set; }

    /// <summary>Why the tracepoint is not used (null when it is).</summary>
    public string? TracerUnavailable { get; private set; }

    public SocketPoller? Poller { get; private set; }

    /// <summary>How often sock_diag is polled.</summary>
    public TimeSpan PollInterval { get; private set; }

    /// <summary>How often the poller dumps sockets in quiet stretches of a run side by side (<see cref="SocketPoller"/>).</summary>
    internal static readonly TimeSpan IdlePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How long creating the namespaces, devices and agents took.</summary>
    public TimeSpan SetupTime { get; private set; }

    public static async Task<LabSession> CreateAsync(Scenario scenario, KernelTargetOptions options, CancellationToken ct)
    {
        string runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        int low = PortWindows.Take();
        var ctx = new LabContext(runId, new UserspaceWire(realTime: options.RealTime), options.AgentCommand ?? AgentCommand.Default(), options.AgentStartTimeout, low, low + 999, options.RealTime);
        ctx.Wire.WarmUp();
        var session = new LabSession(ctx);
        var setup = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            foreach (HostDecl h in scenario.Hosts)
            {
                var sysctls = scenario.Sysctls.Where(s => s.Host == h.Name).Select(s => KeyValuePair.Create(s.Key, s.Value)).ToList();
                int kills = scenario.Timeline.Count(t => t.Statement is KillCall k && k.Host == h.Name);
                int reboots = scenario.Timeline.Count(t => t.Statement is RebootHost r && r.Host == h.Name);
                session._hosts[h.Name] = new LabHost(ctx, h.Name, h.Address, sysctls, kills, reboots);
            }

            foreach (LinkDecl l in scenario.Links)
            {
                ctx.Wire.SetDelay(l.A, l.B, l.Delay);
                ctx.Wire.SetDelay(l.B, l.A, l.Delay);
            }

            await Task.WhenAll(session._hosts.Values.Select(h => h.StartAsync(ct))).ConfigureAwait(false);
            if (options.UseTracepoint)
            {
                // Ports the scenario listens on or connects to: a connect's SYN_SENT event has no source port
                // yet, and a port nobody listens on is still the one it goes to.
                IEnumerable<int> scenarioPorts = scenario.Timeline.Select(t => t.Statement).OfType<ListenCall>().Select(l => l.Port)
                    .Concat(scenario.Timeline.Select(t => t.Statement).OfType<ConnectCall>().Select(c => c.Port));
                string instance = string.Create(CultureInfo.InvariantCulture, $"{LabNamespaces.Prefix}{Environment.ProcessId}-{runId}");
                session.Tracer = StateTracer.TryStart(instance, ctx.PortLow, ctx.PortHigh, scenarioPorts, out string? whyNot);
                session.TracerUnavailable = whyNot;
            }
            else
            {
                session.TracerUnavailable = "tracepoint disabled by options";
            }

            // Every host is polled, crashed or not: a crashed boot's sockets die during the teardown that follows
            // the crash (off the timeline's path; LabHost.Dump lists them until then), and timewait sockets' deaths
            // are only seen by polling.
            // Side by side (no real-time threads) and with the tracepoint to say when sockets change, the poller slows
            // down in quiet stretches: every dump walks the whole shared TCP hash (SocketPoller).
            TimeSpan? idle = !options.RealTime && session.Tracer is not null ? IdlePollInterval : null;
            session.Poller = new SocketPoller(
                () => session._hosts.Values.Select(h => (h.Name, (Func<IReadOnlyList<Observation.DiagSocket>>)h.Dump)).ToList(),
                options.PollInterval, idle);
            if (session.Tracer is { } tracer) tracer.EventRead = session.Poller.Nudge;
            session.SetupTime = setup.Elapsed;
            session.PollInterval = options.PollInterval;
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops recording (tracer, poller) so that the trace can be assembled; idempotent.</summary>
    public void StopRecording()
    {
        Tracer?.Stop();
        Poller?.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        List<Exception> errors = _cleanupErrors;
        try { StopRecording(); }
        catch (Exception e) when (e is IOException or ThreadStateException) { errors.Add(e); }

        Poller?.Dispose();
        Tracer?.Dispose();
        if (Tracer is { Removed: false }) errors.Add(new IOException("tracefs instance not removed (stale cleanup will retry)"));
        foreach (LabHost h in _hosts.Values) Context.Wire.Detach(h.Name);
        await Task.WhenAll(_hosts.Values.Select(async h =>
        {
            try { await h.DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or InvalidOperationException) { lock (errors) errors.Add(e); }
        })).ConfigureAwait(false);
        Context.Wire.Dispose();
        PortWindows.Release(Context.PortLow);
        foreach (string f in _hosts.Values.SelectMany(h => h.CleanupFailures)) errors.Add(new IOException(f));
    }

    /// <summary>What cleanup could not do (never thrown: it must not hide the run's own failure).</summary>
    public IReadOnlyList<Exception> CleanupErrors => _cleanupErrors;
}
