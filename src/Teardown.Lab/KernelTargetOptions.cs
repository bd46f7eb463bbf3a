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
    /// Whether the wire's TUN readers run SCHED_FIFO (else nice -10). Real-time readers take a zero-delay
    /// handshake from 1–3 ms to ~0.3 ms on this VM, but a .NET thread returning from a system call while the runtime
    /// suspends itself for a collection yields in a loop until the suspension is done; with more such real-time
    /// threads than cores (many runs at once) the suspending thread never gets a core and the process livelocks
    /// (seen: two readers at 100 % of both cores for minutes in a 6-job fuzz run). So: real-time for a run that
    /// plays alone (true, the default), not for runs played side by side (DiffRunner with more than one job).
    /// </summary>
    public bool RealTimeWire { get; init; } = true;

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
