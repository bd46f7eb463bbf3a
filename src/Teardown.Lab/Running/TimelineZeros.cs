using System.Globalization;

namespace Teardown.Lab.Running;

/// <summary>
/// The zeros of the timelines being played at once on this machine. Every run aligns its zero with the same grid of
/// the kernel's jiffies (<see cref="JiffyClock.AlignedZero"/>: every 512 jiffies, 2.048 s at HZ 250), so runs started
/// together would all start at one instant, and their listen() calls at 0 would overlap. A listener is told apart
/// from another run's only by when it entered LISTEN (the tracepoint names no netns, and a listener bound to
/// 0.0.0.0:8080 has the same 4-tuple in every run; <c>TraceAssembler.IsAnotherRunsListener</c>): with a shared
/// zero, each run took the other runs' listeners for its own, and their close for its listener's ("L1: LISTEN →
/// CLOSE", 3 of 12 generated scenarios side by side at --jobs 6). So no two runs share a zero: within a process by
/// a set, across processes (a fuzz campaign and a diff at once) by a claim file per zero in /dev/shm, created
/// exclusively. A zero in the past can never be chosen again, so claim files of past zeros (a process that died)
/// are simply removed.
/// </summary>
internal static class TimelineZeros
{
    private const string ClaimDirectory = "/dev/shm";
    private const string ClaimPrefix = "teardown-zero-";
    private static readonly HashSet<long> InUse = [];

    /// <summary>
    /// The first zero <paramref name="alignedAtOrAfter"/> gives from <paramref name="notBeforeNs"/> on that no
    /// running timeline on this machine has; release it with <see cref="Release"/> when the timeline has ended.
    /// </summary>
    public static long Claim(long notBeforeNs, Func<long, long> alignedAtOrAfter)
    {
        ArgumentNullException.ThrowIfNull(alignedAtOrAfter);
        lock (InUse)
        {
            RemovePastClaims(Wire.MonotonicClock.NowNs());
            long zero = alignedAtOrAfter(notBeforeNs);
            while (InUse.Contains(zero) || !TryClaimFile(zero)) zero = alignedAtOrAfter(zero + 1);
            InUse.Add(zero);
            return zero;
        }
    }

    public static void Release(long zeroNs)
    {
        lock (InUse)
        {
            InUse.Remove(zeroNs);
            try { File.Delete(PathOf(zeroNs)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // removed as a past claim later
        }
    }

    private static string PathOf(long zeroNs) => Path.Combine(ClaimDirectory, ClaimPrefix + zeroNs.ToString(CultureInfo.InvariantCulture));

    /// <summary>Creates the zero's claim file; false when another process holds it. Without /dev/shm, claims stay within the process.</summary>
    private static bool TryClaimFile(long zeroNs)
    {
        try
        {
            using (new FileStream(PathOf(zeroNs), FileMode.CreateNew, FileAccess.Write)) { }
            return true;
        }
        catch (IOException) when (File.Exists(PathOf(zeroNs)))
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static void RemovePastClaims(long nowNs)
    {
        try
        {
            foreach (string f in Directory.EnumerateFiles(ClaimDirectory, ClaimPrefix + "*"))
            {
                if (long.TryParse(Path.GetFileName(f).AsSpan(ClaimPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long zero) && zero < nowNs && !InUse.Contains(zero))
                {
                    File.Delete(f);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
