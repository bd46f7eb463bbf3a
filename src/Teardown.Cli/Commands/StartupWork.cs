using System.Diagnostics;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Commands;

/// <summary>
/// What the process started before the command line was parsed: the clock of the whole run (so
/// that reported times cover start-up too) and, for <c>doctor</c> on this host, the owner scan,
/// which is a snapshot's critical path (Program.cs).
/// </summary>
public sealed class StartupWork
{
    private readonly long _started;

    /// <summary>Starts the clock now; <paramref name="ownerPrefetch"/> is an owner scan already running, if any.</summary>
    public StartupWork(OwnerPrefetch? ownerPrefetch = null, long? startedAt = null)
    {
        _started = startedAt ?? Stopwatch.GetTimestamp();
        OwnerPrefetch = ownerPrefetch;
    }

    /// <summary>An owner scan started at start-up, for the first snapshot to use.</summary>
    public OwnerPrefetch? OwnerPrefetch { get; }

    /// <summary>Time since the process (or, in tests, the command) started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);
}
