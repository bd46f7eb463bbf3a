using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Running;

/// <summary>
/// Counts the garbage collections of this process over a timeline and the time they kept its threads
/// suspended (<see cref="GC.GetTotalPauseDuration"/> is cumulative since the process started), so that a run's
/// precision note says whether the runtime, rather than the machine, made its lines late.
/// </summary>
internal readonly struct RuntimePauseMeter
{
    private readonly int _collections;
    private readonly TimeSpan _paused;

    private RuntimePauseMeter(int collections, TimeSpan paused)
    {
        _collections = collections;
        _paused = paused;
    }

    public static RuntimePauseMeter Start() => new(GC.CollectionCount(0), GC.GetTotalPauseDuration());

    // Every collection counts in generation 0's count (a generation-2 collection collects 0 and 1 too).
    public RuntimePauses Stop() => new(GC.CollectionCount(0) - _collections, GC.GetTotalPauseDuration() - _paused);
}
