namespace Teardown.Kernel;

/// <summary>
/// 32-bit TCP sequence arithmetic (RFC 9293 §3.4, Linux include/net/tcp.h:before/after):
/// a is before b when the signed 32-bit difference a − b is negative, so comparisons survive wrap-around.
/// </summary>
public static class Seq
{
    public static bool Before(uint a, uint b) => unchecked((int)(a - b)) < 0;

    public static bool After(uint a, uint b) => Before(b, a);

    public static bool BeforeOrEqual(uint a, uint b) => !After(a, b);

    public static bool AfterOrEqual(uint a, uint b) => !Before(a, b);

    /// <summary>a + n modulo 2^32.</summary>
    public static uint Add(uint a, long n) => unchecked((uint)(a + n));

    /// <summary>The distance b − a modulo 2^32, as a signed value (negative when b is before a).</summary>
    public static int Diff(uint a, uint b) => unchecked((int)(b - a));

    /// <summary>True if seq lies in [start, end) on the circle.</summary>
    public static bool InRange(uint seq, uint start, uint end) => AfterOrEqual(seq, start) && Before(seq, end);
}
