using System.Runtime.InteropServices;
using Teardown.Lab.Namespaces;
using Teardown.Lab.Running;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab;

/// <summary>
/// The <c>kernel</c> scenario target: plays a scenario in real time on this machine's Linux kernel.
/// Each host is a network namespace of its own (<c>td-PID-RUN-HOST</c>) joined to the others by a
/// user-space wire over TUN devices that delays, drops and records every packet; each host's sockets
/// live in an agent process (<c>teardown agent</c>). Everything created is removed when the run ends,
/// fails or is cancelled (SIGINT/SIGTERM while playing cancel the run and still clean up).
/// </summary>
/// <remarks>Requires root (CAP_NET_ADMIN and CAP_SYS_ADMIN): otherwise <see cref="LabUnavailableException"/>.</remarks>
public sealed class KernelTarget(KernelTargetOptions? options = null) : IScenarioTarget
{
    private readonly KernelTargetOptions _options = options ?? new KernelTargetOptions();

    /// <summary>
    /// Setting a lab up (namespaces, `ip` commands, two agent processes starting) and tearing it down are
    /// the CPU-heavy moments of a run; while they happen, the timelines of runs in parallel fall behind.
    /// One at a time per process, they leave the other core to the running timelines.
    /// </summary>
    private static readonly SemaphoreSlim SetupGate = new(1, 1);

    public string Name => "kernel";

    /// <summary>Problems the last run's cleanup met (empty when everything was removed); for the CLI to report.</summary>
    public IReadOnlyList<string> CleanupProblems { get; private set; } = [];

    public async Task<ScenarioTrace> PlayAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        LabPrerequisites.Ensure();
        LabNamespaces.RemoveStale();

        // The timeline runs on the thread pool in real time; a pool grown only by hill climbing (one thread
        // per ~0.5 s when all are busy) shows up as late lines under load. Raising the minimum only adds idle threads.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        using IDisposable quietGc = QuietGarbageCollector.Enter();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        LabSession session;
        await SetupGate.WaitAsync(cts.Token).ConfigureAwait(false);
        try
        {
            session = await LabSession.CreateAsync(scenario, _options, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            SetupGate.Release();
        }

        try
        {
            return await new ScenarioPlayer(session, scenario, _options).RunAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            // Cleanup is not cancellable: it waits for its turn whatever happened to the run.
            await SetupGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                SetupGate.Release();
            }

            CleanupProblems = session.CleanupErrors.Select(e => e.Message).ToList();
        }
    }
}
