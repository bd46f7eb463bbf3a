using System.Globalization;

namespace Teardown.Scenarios.Tracing;

/// <summary>
/// The bounds within which a kernel run counts as precise: a line starts within <see cref="LineP99"/> of
/// the instant it could start at the 99th percentile and within <see cref="LineMax"/> at worst; the wire
/// adds at most <see cref="WireP99"/> beyond a link's delay at the 99th percentile and <see cref="WireMax"/> at worst.
/// </summary>
public sealed record PrecisionBounds(TimeSpan LineP99, TimeSpan LineMax, TimeSpan WireP99, TimeSpan WireMax)
{
    /// <summary>The lab's proven resolution on an idle 2-core machine (issue 11): lines 1 ms / 3 ms, wire 0.2 ms / 3 ms, handshakes 1 ms.</summary>
    public static PrecisionBounds Default { get; } = new(
        TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(3));

    /// <summary>The longest a connect over a zero-delay link may take (the kernel needs microseconds; the rest is the lab's).</summary>
    public TimeSpan HandshakeMax { get; init; } = TimeSpan.FromMilliseconds(1);
}

/// <summary>A distribution of delays in microseconds: sample count, median, 99th percentile (nearest rank) and maximum.</summary>
public sealed record DelayStats(int Count, double P50Us, double P99Us, double MaxUs)
{
    public static DelayStats Empty { get; } = new(0, 0, 0, 0);

    /// <summary>Nearest-rank percentiles of <paramref name="samplesUs"/> (negative samples count as 0).</summary>
    public static DelayStats Of(IEnumerable<double> samplesUs)
    {
        ArgumentNullException.ThrowIfNull(samplesUs);
        double[] s = samplesUs.Select(x => Math.Max(0, x)).Order().ToArray();
        if (s.Length == 0) return Empty;
        double Rank(double p) => s[Math.Clamp((int)Math.Ceiling(p * s.Length) - 1, 0, s.Length - 1)];
        return new DelayStats(s.Length, Rank(0.50), Rank(0.99), s[^1]);
    }

    public override string ToString() => Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture,
        $"p50 {Us(P50Us)}, p99 {Us(P99Us)}, max {Us(MaxUs)} ({Count})");

    private static string Us(double us) => us >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{us / 1000:F1} ms") : string.Create(CultureInfo.InvariantCulture, $"{us:F0} µs");
}

/// <summary>
/// How precisely a kernel run kept the scenario's time, measured by the lab on every run. Line lateness is
/// how long after the instant a line could start (its due time, or later when its host was still blocked in
/// an earlier call or lines of the same instant came first) its system call actually started; wire latency is
/// how long after a link's delay a packet was handed to its receiver. A run outside <see cref="Bounds"/> is
/// <em>lab-imprecise</em>: its divergences may be the machine's load, not the model's error.
/// </summary>
public sealed record LabPrecision(DelayStats Lines, DelayStats Wire, PrecisionBounds Bounds, string? WorstLine)
{
    /// <summary>Durations of successful connects over zero-delay links (µs): the handshake through the lab's wire.</summary>
    public DelayStats Handshakes { get; init; } = DelayStats.Empty;

    /// <summary>
    /// Garbage collections of the lab's process while the timeline played, and how long they suspended its
    /// threads in all (the timeline's and the wire's too): a lateness that coincides with them is the runtime's.
    /// </summary>
    public RuntimePauses Collections { get; init; } = RuntimePauses.None;

    /// <summary>Where the timeline's zero fell among the kernel's jiffies (the lab aligns it with the model's timer wheel), or null.</summary>
    public string? Jiffies { get; init; }

    /// <summary>Why the run is imprecise, or null when it kept within the bounds.</summary>
    public string? Exceeded
    {
        get
        {
            var why = new List<string>();
            if (Lines.P99Us > Bounds.LineP99.TotalMicroseconds) why.Add(string.Create(CultureInfo.InvariantCulture, $"line lateness p99 {Lines.P99Us / 1000:F1} ms > {Bounds.LineP99.TotalMilliseconds:0.###} ms"));
            if (Lines.MaxUs > Bounds.LineMax.TotalMicroseconds) why.Add(string.Create(CultureInfo.InvariantCulture, $"line lateness max {Lines.MaxUs / 1000:F1} ms > {Bounds.LineMax.TotalMilliseconds:0.###} ms{(WorstLine is null ? "" : " (" + WorstLine + ")")}"));
            if (Wire.P99Us > Bounds.WireP99.TotalMicroseconds) why.Add(string.Create(CultureInfo.InvariantCulture, $"wire p99 {Wire.P99Us / 1000:F2} ms > {Bounds.WireP99.TotalMilliseconds:0.###} ms"));
            if (Handshakes.MaxUs > Bounds.HandshakeMax.TotalMicroseconds) why.Add(string.Create(CultureInfo.InvariantCulture, $"handshake over a zero-delay link {Handshakes.MaxUs / 1000:F1} ms > {Bounds.HandshakeMax.TotalMilliseconds:0.###} ms"));
            if (Wire.MaxUs > Bounds.WireMax.TotalMicroseconds) why.Add(string.Create(CultureInfo.InvariantCulture, $"wire max {Wire.MaxUs / 1000:F1} ms > {Bounds.WireMax.TotalMilliseconds:0.###} ms"));
            return why.Count == 0 ? null : string.Join("; ", why);
        }
    }

    /// <summary>True when the run kept within <see cref="Bounds"/>.</summary>
    public bool Precise => Exceeded is null;

    /// <summary>One line for the trace and reports.</summary>
    public override string ToString() =>
        $"lab precision: line lateness {Lines}; wire beyond link delay {Wire}; " + (Handshakes.Count > 0 ? $"zero-delay handshakes {Handshakes}; " : "") +
        (Collections.Count > 0 ? $"{Collections}; " : "") + (Jiffies is { } j ? $"{j}; " : "") + (Exceeded is { } e ? "LAB-IMPRECISE: " + e : "within bounds");
}

/// <summary>How many garbage collections ran over an interval and how long they kept the process's threads suspended in all.</summary>
public sealed record RuntimePauses(int Count, TimeSpan Paused)
{
    public static RuntimePauses None { get; } = new(0, TimeSpan.Zero);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} garbage collection{(Count == 1 ? "" : "s")} in the lab's process, {Paused.TotalMilliseconds:F2} ms suspended");
}
