using Teardown.Model.Kernel;

namespace Teardown.Doctor.Forecast;

/// <summary>What the peer's application and kernel see of our end's ending.</summary>
public enum PeerSees : byte
{
    /// <summary>Nothing more reaches the peer: a silent timeout, or a peer that cannot be reached.</summary>
    Nothing,
    /// <summary>Our FIN: a clean end of stream.</summary>
    Fin,
    /// <summary>A RST: the peer's next call fails with ECONNRESET or EPIPE.</summary>
    Rst,
}

/// <summary>
/// One run of the model forward from a seeded socket: when (if ever) the kernel freed it, why, what the
/// peer saw, and the MIB counters it moved.
/// </summary>
/// <param name="ReapedAfter">Time from the seeding instant until the end was GONE; null when not within the horizon.</param>
/// <param name="Horizon">How far the model ran forward.</param>
/// <param name="EndedBy">The model's cause of the last transition (its text and kernel function), when it ended.</param>
/// <param name="PeerSees">What our host sent the peer from the seeding instant on.</param>
/// <param name="States">The states our end went through after the seeding instant (GONE as null).</param>
/// <param name="Counters">Counters of our host that moved after the seeding instant, with how much.</param>
/// <param name="DescriptorHeld">The connection ended but the application still holds its descriptor (a CLOSE socket that only close() frees).</param>
public sealed record Outcome(
    TimeSpan? ReapedAfter,
    TimeSpan Horizon,
    Cause? EndedBy,
    PeerSees PeerSees,
    IReadOnlyList<TcpState?> States,
    IReadOnlyDictionary<Mib, long> Counters,
    bool DescriptorHeld)
{
    /// <summary>True when the model never ended the connection within its horizon.</summary>
    public bool Never => ReapedAfter is null;
}
