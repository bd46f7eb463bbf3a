namespace Teardown.Lab.Running;

/// <summary>
/// Hands out per-run ephemeral port windows (1000 ports in 20000–59999). The tracepoint has no netns, so
/// runs are told apart by their 4-tuples: runs of one process never share a window, and runs of other
/// processes pick at random (a 1-in-40 chance of sharing, after which only identical 4-tuples could mix).
/// </summary>
internal static class PortWindows
{
    private const int Count = 40;
    private static readonly HashSet<int> InUse = [];

    public static int Take()
    {
        lock (InUse)
        {
            int start = System.Security.Cryptography.RandomNumberGenerator.GetInt32(Count);
            for (int i = 0; i < Count; i++)
            {
                int w = (start + i) % Count;
                if (InUse.Add(w)) return 20000 + (w * 1000);
            }

            return 20000 + (start * 1000); // more than 40 parallel runs: share, tuples still differ mostly
        }
    }

    public static void Release(int low)
    {
        lock (InUse) InUse.Remove((low - 20000) / 1000);
    }
}
