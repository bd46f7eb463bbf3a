using System.Globalization;

namespace Teardown.Model;

/// <summary>
/// An instant on the model's virtual clock, in microseconds since the start of the run.
/// The model never reads a wall clock: time is a value it is given (smoltcp's Instant, NodaTime's Instant).
/// </summary>
public readonly record struct SimTime(long Microseconds) : IComparable<SimTime>
{
    public static readonly SimTime Zero = new(0);

    /// <summary>"Never": an unarmed deadline.</summary>
    public static readonly SimTime Never = new(long.MaxValue);

    public double Seconds => Microseconds / 1_000_000.0;

    public static SimTime FromSeconds(double seconds) => new(checked((long)Math.Round(seconds * 1_000_000.0)));

    public static SimTime FromTimeSpan(TimeSpan span) => new(span.Ticks / 10);

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(checked(Microseconds * 10));

    public static SimTime operator +(SimTime t, SimDuration d) =>
        t.Microseconds == long.MaxValue || d.Microseconds == long.MaxValue ? Never : new(checked(t.Microseconds + d.Microseconds));

    public static SimDuration operator -(SimTime a, SimTime b) => new(checked(a.Microseconds - b.Microseconds));

    public static bool operator <(SimTime a, SimTime b) => a.Microseconds < b.Microseconds;

    public static bool operator >(SimTime a, SimTime b) => a.Microseconds > b.Microseconds;

    public static bool operator <=(SimTime a, SimTime b) => a.Microseconds <= b.Microseconds;

    public static bool operator >=(SimTime a, SimTime b) => a.Microseconds >= b.Microseconds;

    public int CompareTo(SimTime other) => Microseconds.CompareTo(other.Microseconds);

    public override string ToString() => Microseconds == long.MaxValue ? "never" : Seconds.ToString("0.000000", CultureInfo.InvariantCulture) + "s";
}

/// <summary>A span of virtual time in microseconds.</summary>
public readonly record struct SimDuration(long Microseconds) : IComparable<SimDuration>
{
    public static readonly SimDuration Zero = new(0);

    public static SimDuration FromMilliseconds(long ms) => new(checked(ms * 1000));

    public static SimDuration FromSeconds(double s) => new(checked((long)Math.Round(s * 1_000_000.0)));

    public static SimDuration FromTimeSpan(TimeSpan span) => new(span.Ticks / 10);

    public double Seconds => Microseconds / 1_000_000.0;

    public long Milliseconds => Microseconds / 1000;

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(checked(Microseconds * 10));

    public static SimDuration operator +(SimDuration a, SimDuration b) => new(checked(a.Microseconds + b.Microseconds));

    public static SimDuration operator -(SimDuration a, SimDuration b) => new(checked(a.Microseconds - b.Microseconds));

    public static SimDuration operator *(SimDuration a, long k) => new(checked(a.Microseconds * k));

    public static bool operator <(SimDuration a, SimDuration b) => a.Microseconds < b.Microseconds;

    public static bool operator >(SimDuration a, SimDuration b) => a.Microseconds > b.Microseconds;

    public static bool operator <=(SimDuration a, SimDuration b) => a.Microseconds <= b.Microseconds;

    public static bool operator >=(SimDuration a, SimDuration b) => a.Microseconds >= b.Microseconds;

    public static SimDuration Max(SimDuration a, SimDuration b) => a >= b ? a : b;

    public static SimDuration Min(SimDuration a, SimDuration b) => a <= b ? a : b;

    public int CompareTo(SimDuration other) => Microseconds.CompareTo(other.Microseconds);

    public override string ToString() => Seconds.ToString("0.######", CultureInfo.InvariantCulture) + "s";
}
