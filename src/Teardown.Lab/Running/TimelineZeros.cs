namespace Teardown.Lab.Running;

/// <summary>
/// The zeros of the timelines this process is playing at once. Every run aligns its zero with the same grid of the
/// kernel's jiffies (<see cref="JiffyClock.AlignedZero"/>: every 512 jiffies, 2.048 s at HZ 250), so runs started
/// together would all start at one instant, and their listen() calls at 0 would overlap. A listener is told apart
/// from another run's only by when it entered LISTEN (the tracepoint names no netns, and a listener bound to
/// 0.0.0.0:8080 has the same 4-tuple in every run; <c>TraceAssembler.IsAnotherRunsListener</c>): with a shared
/// zero, each run took the other runs' listeners for its own, and their close for its listener's ("L1: LISTEN →
/// CLOSE", 3 of 12 generated scenarios side by side at --jobs 6). Runs of one process therefore never share a zero.
/// </summary>
internal static class TimelineZeros
{
    private static readonly HashSet<long> InUse = [];

    /// <summary>
    /// The first zero <paramref name="alignedAtOrAfter"/> gives from <paramref name="notBeforeNs"/> on that no
    /// running timeline of this process has; release it with <see cref="Release"/> when the timeline has ended.
    /// </summary>
    public static long Claim(long notBeforeNs, Func<long, long> alignedAtOrAfter)
    {
        ArgumentNullException.ThrowIfNull(alignedAtOrAfter);
        lock (InUse)
        {
            long zero = alignedAtOrAfter(notBeforeNs);
            while (!InUse.Add(zero)) zero = alignedAtOrAfter(zero + 1);
            return zero;
        }
    }

    public static void Release(long zeroNs)
    {
        lock (InUse) InUse.Remove(zeroNs);
    }
}
