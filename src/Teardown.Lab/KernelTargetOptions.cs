namespace Teardown.Lab;

/// <summary>Settings of the kernel target; the defaults suit interactive runs and tests.</summary>
public sealed record KernelTargetOptions
{
    /// <summary>How long a single call may take before the run is abandoned (cleanup still happens).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an agent may take to start and report ready.</summary>
    public TimeSpan AgentStartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The command prefix starting the <c>teardown</c> binary for agents (the lab appends <c>agent</c>);
    /// null finds it (<see cref="Running.AgentCommand.Default"/>).
    /// </summary>
    public IReadOnlyList<string>? AgentCommand { get; init; }

    /// <summary>
    /// Lines scheduled for the same instant run in file order: a line waits up to this long for the
    /// earlier ones of that instant to finish (a listen before a connect at time 0), as on the model's clock.
    /// </summary>
    public TimeSpan SameInstantWait { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>How often sock_diag is polled for timewait sockets (and for everything without tracefs).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Whether the lab's threads — the wire's TUN readers and schedulers, the timeline's threads, the reply readers,
    /// the namespace threads — and the agents' threads run SCHED_FIFO (else nice -10). Real-time threads take a
    /// zero-delay handshake from 1–3 ms to ~0.3 ms on this VM. But a .NET thread that wakes while its runtime
    /// suspends the process for a collection waits for the suspension to end, and the thread doing the collection
    /// is an ordinary one: with real-time threads of several runs waking all the time, it gets a core only from
    /// the kernel's real-time throttling (5 % of each second). Seen with 6 runs at once: lines 0.9–2.9 s late in
    /// 20 of 48 scenarios (86–176 collections per timeline), and once two TUN readers at 100 % of both cores for
    /// minutes; without real-time threads the worst line was 20 ms late. So: real-time for a run that plays alone
    /// (true, the default), not for runs played side by side (DiffRunner with more than one job).
    /// </summary>
    public bool RealTime { get; init; } = true;

    /// <summary>Use the inet_sock_set_state tracepoint when tracefs is available (else poll only).</summary>
    public bool UseTracepoint { get; init; } = true;

    /// <summary>Quiet time after the last line so that its packets and transitions are recorded.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How precisely a run must keep time to be judged (<see cref="Scenarios.Tracing.LabPrecision"/>): a run
    /// outside them is lab-imprecise (the machine was too busy), never a divergence.
    /// </summary>
    public Scenarios.Tracing.PrecisionBounds PrecisionBounds { get; init; } = Scenarios.Tracing.PrecisionBounds.Default;
}
