using System.Diagnostics;

namespace Teardown.Lab.Wire;

/// <summary>
/// CLOCK_MONOTONIC in nanoseconds. On Linux, Stopwatch reads CLOCK_MONOTONIC, which is shared by all
/// processes — so agent timestamps, wire timestamps and tracefs (trace_clock=mono) agree.
/// </summary>
public static class MonotonicClock
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    public static long NowNs() => (long)(Stopwatch.GetTimestamp() * NsPerTick);
}
