namespace Teardown.Doctor.Findings;

/// <summary>Whether and when the kernel frees the sockets of a finding.</summary>
/// <param name="Never">True when time alone never frees them.</param>
/// <param name="Latest">The latest expected reap, from now (null when never or unknown).</param>
/// <param name="Earliest">The earliest expected reap, from now.</param>
/// <param name="Source">Where the times came from.</param>
/// <param name="Explanation">The rule, in words, with the kernel function.</param>
public sealed record Reap(bool Never, TimeSpan? Latest, TimeSpan? Earliest, FigureSource Source, string Explanation)
{
    /// <summary>A finding that is never reaped by time.</summary>
    public static Reap NeverBecause(string reason) => new(true, null, null, FigureSource.ModelRule, reason);

    /// <summary>Short display ("never", "within 58 s").</summary>
    public string Display => Never ? "never"
        : Latest is TimeSpan l ? $"within {Format(l)}" : "unknown";

    /// <summary>Seconds or minutes, with unit.</summary>
    public static string Format(TimeSpan t) => t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#} s"
        : t.TotalHours < 3 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalHours:0.#} h";
}
