namespace Teardown.Server.Snapshots;

/// <summary>How the snapshot loop is doing: what <c>/readyz</c>, <c>/api/status</c> and the server's own metrics say.</summary>
/// <param name="Attempts">Snapshots attempted.</param>
/// <param name="Failures">Of those, failed.</param>
/// <param name="LastOk">True when the last attempt succeeded.</param>
/// <param name="LastError">Why the last attempt failed, or null.</param>
/// <param name="LastSuccess">When the snapshot being served was taken, or null before the first.</param>
public sealed record SnapshotStatus(long Attempts, long Failures, bool LastOk, string? LastError, DateTimeOffset? LastSuccess)
{
    /// <summary>Before the first attempt.</summary>
    public static SnapshotStatus Starting { get; } = new(0, 0, false, null, null);

    /// <summary>Ready: a snapshot is being served and it is the latest attempt's.</summary>
    public bool Ready => LastOk && LastSuccess is not null;
}
