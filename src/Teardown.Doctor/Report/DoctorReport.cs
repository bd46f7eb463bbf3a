using System.Collections.Immutable;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Report;

/// <summary>Use of the ephemeral port range toward one destination.</summary>
/// <param name="Destination">Remote "address:port".</param>
/// <param name="InUse">Local ephemeral ports bound toward it (any state, TIME_WAIT included).</param>
/// <param name="TimeWait">Of those, TIME_WAIT.</param>
/// <param name="RangeSize">Size of net.ipv4.ip_local_port_range.</param>
/// <param name="Reaped">Of those, sockets the kernel frees by itself within a bounded time (TIME_WAIT, orphans on a timer).</param>
public sealed record PortUsage(string Destination, int InUse, int TimeWait, int RangeSize, int Reaped = 0)
{
    /// <summary>Fraction of the range used, 0–1.</summary>
    public double Fraction => RangeSize <= 0 ? 0 : (double)InUse / RangeSize;

    /// <summary>Ports held by a socket a process still has (ESTABLISHED, CLOSE_WAIT, half-closed): only these grow without bound.</summary>
    public int Held => InUse - Reaped;
}

/// <summary>Which sockets the analysis looked at.</summary>
/// <param name="Pid">Only sockets owned by this process.</param>
/// <param name="Port">Only sockets whose local or remote port is this.</param>
public sealed record DoctorFilter(int? Pid = null, int? Port = null)
{
    /// <summary>No filter.</summary>
    public static DoctorFilter None { get; } = new();
}

/// <summary>The doctor's verdict on one network namespace.</summary>
public sealed record DoctorReport
{
    /// <summary>When the data was read.</summary>
    public required DateTimeOffset TakenAt { get; init; }
    /// <summary>Namespace inode.</summary>
    public required ulong NetNsInode { get; init; }
    /// <summary>Socket source.</summary>
    public required SocketSource Source { get; init; }
    /// <summary>Findings, most severe first.</summary>
    public required ImmutableArray<Finding> Findings { get; init; }
    /// <summary>Sockets counted per kernel state (index = state number).</summary>
    public required ImmutableArray<int> StateCounts { get; init; }
    /// <summary>Non-listening sockets counted per class.</summary>
    public required ImmutableDictionary<SocketClass, int> ClassCounts { get; init; }
    /// <summary>Sockets examined after the filter (listeners included).</summary>
    public required int Total { get; init; }
    /// <summary>Busiest destinations by ephemeral ports.</summary>
    public required ImmutableArray<PortUsage> PortUsage { get; init; }
    /// <summary>What could not be seen.</summary>
    public required ImmutableArray<BlindSpot> BlindSpots { get; init; }
    /// <summary>What reading the input cost.</summary>
    public Teardown.Doctor.Input.ReadCost Cost { get; init; }

    /// <summary>The filter applied.</summary>
    public required DoctorFilter Filter { get; init; }

    /// <summary>
    /// Processes still holding descriptors of connections teardown released or killed, one finding
    /// each (not numbered with <see cref="Findings"/>: nothing in them can be released again).
    /// </summary>
    public ImmutableArray<HeldAfterActionFinding> HeldAfterAction { get; init; } = [];

    /// <summary>True when some finding is at least <see cref="Severity.Low"/>.</summary>
    public bool HasFindings => Findings.Any(f => f.Severity >= Severity.Low) || HeldAfterAction.Any(f => f.Severity >= Severity.Low);

    /// <summary>True when permissions or missing kernel features hid part of the host.</summary>
    public bool IsPartial => BlindSpots.Any(b => b.Kind is BlindSpotKind.NotRoot or BlindSpotKind.ProcPartlyUnreadable
        or BlindSpotKind.SockDiagUnavailable or BlindSpotKind.SocketsUnavailable or BlindSpotKind.NamespaceUnavailable
        or BlindSpotKind.OwnersUnavailable or BlindSpotKind.OwnersNotScanned);
}
