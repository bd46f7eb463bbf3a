using System.Runtime;

namespace Teardown.Lab.Running;

/// <summary>
/// While any kernel run plays, the process's collector avoids full blocking collections
/// (<see cref="GCLatencyMode.LowLatency"/>: no generation-2 collection unless memory runs short). The CLI runs
/// without concurrent GC, so a generation-2 collection suspends every thread — the timeline's real-time ones
/// too — while an ordinary thread does the work: 20 ms measured under load, with other runs' set-ups
/// allocating beside a timeline (issue 11). Nested runs share one setting; the last one out restores it.
/// </summary>
internal static class QuietGarbageCollector
{
    private static readonly Lock Gate = new();
    private static int _runs;
    private static GCLatencyMode _before;

    public static IDisposable Enter()
    {
        lock (Gate)
        {
            if (_runs++ == 0)
            {
                _before = GCSettings.LatencyMode;
                GCSettings.LatencyMode = GCLatencyMode.LowLatency;
            }
        }

        return new Exit();
    }

    private sealed class Exit : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            lock (Gate)
            {
                if (_done) return;
                _done = true;
                if (--_runs == 0) GCSettings.LatencyMode = _before;
            }
        }
    }
}
