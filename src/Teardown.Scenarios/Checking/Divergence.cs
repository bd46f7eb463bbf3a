using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Checking;

/// <summary>
/// One place where the model and the kernel disagree: which timeline line it concerns (for states,
/// segments and counters, the last line at or before the difference; null after the timeline),
/// which aspect (see <see cref="Aspects"/>), and what each side shows.
/// </summary>
public sealed record Divergence(TimedLine? Line, string Aspect, string Model, string Kernel)
{
    /// <summary>When the difference shows, from the scenario start; divergences are ordered by it.</summary>
    public TimeSpan At { get; init; }
}

/// <summary>The aspects a comparison looks at, in the order reports list them.</summary>
public static class Aspects
{
    public const string Result = "result";
    public const string ReturnTime = "return time";
    public const string Observation = "observation";
    public const string States = "states";
    public const string Segments = "segments";
    public const string Counter = "counter";

    public static IReadOnlyList<string> All { get; } = [Result, ReturnTime, Observation, States, Segments, Counter];
}

/// <summary>How many items of one aspect were compared and how many of them diverged.</summary>
public sealed record AspectSummary(string Aspect, int Compared, int Diverged);

/// <summary>The outcome of comparing a model trace with a kernel trace of the same scenario.</summary>
public sealed record Comparison(IReadOnlyList<Divergence> Divergences, IReadOnlyList<AspectSummary> Summary)
{
    public bool Agrees => Divergences.Count == 0;
}
