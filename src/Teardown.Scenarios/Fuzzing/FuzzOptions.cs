namespace Teardown.Scenarios.Fuzzing;

/// <summary>The knobs of scenario generation.</summary>
public sealed record FuzzOptions
{
    /// <summary>
    /// The smallest gap between two timed lines, and between a line and anything the model says happens
    /// near it (<see cref="RaceGuard"/>): below the lab's proven timing resolution, two things at nearly one
    /// instant may happen in either order on the kernel, and the scenario would test the lab, not the model.
    /// </summary>
    public TimeSpan Resolution { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The gap after a crash, a reboot or a kill, which take the lab longer than a call (a namespace torn
    /// down, an agent replaced; docs/kernel-notes.md, "Writing scenarios that hold on the kernel").
    /// </summary>
    public TimeSpan SlowEventGap { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Nothing the counters count may happen this long after the last line (<see cref="RaceGuard"/>): the lab
    /// reads the kernel's counters after letting it settle, the model's stop at the last line.
    /// </summary>
    public TimeSpan EndQuiet { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The timeline ends by then (the final observations included); long timers (TIME_WAIT's 60 s) fit only when it allows.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Actions (calls and network events) after the connections are made, at most.</summary>
    public int MaxActions { get; init; } = 12;

    /// <summary>Hosts: 2 to this many.</summary>
    public int MaxHosts { get; init; } = 3;

    /// <summary>Connections: 1 to this many.</summary>
    public int MaxConnections { get; init; } = 4;

    /// <summary>Options for the CI sample: short timelines, so that a hundred scenarios play in minutes.</summary>
    public static FuzzOptions Short { get; } = new() { MaxDuration = TimeSpan.FromSeconds(20), MaxActions = 10 };
}
