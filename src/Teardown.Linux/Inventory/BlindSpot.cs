using Teardown.Linux.Interop;

namespace Teardown.Linux.Inventory;

/// <summary>What kind of thing a snapshot could not see.</summary>
public enum BlindSpotKind
{
    /// <summary>Not running as root: other users' /proc/PID/fd are unreadable, SOCK_DESTROY and setns unavailable.</summary>
    NotRoot,
    /// <summary>Some /proc entries could not be read (permission); their sockets have no owner.</summary>
    ProcPartlyUnreadable,
    /// <summary>The netlink sock_diag dump failed; sockets came from /proc/net/tcp instead.</summary>
    SockDiagUnavailable,
    /// <summary>Sockets came from /proc/net/tcp: no cookie, shutdown bits, cgroup id or tcp_info; timers at 10 ms resolution.</summary>
    ReducedSocketDetail,
    /// <summary>No socket source worked for a family.</summary>
    SocketsUnavailable,
    /// <summary>The dump saw its tables change (NLM_F_DUMP_INTR): a socket may be missing or doubled.</summary>
    DumpInconsistent,
    /// <summary>The requested namespace could not be entered.</summary>
    NamespaceUnavailable,
    /// <summary>The owner scan failed (/proc could not be opened): no socket has an owner.</summary>
    OwnersUnavailable,
    /// <summary>Some sysctls could not be read.</summary>
    SettingsUnreadable,
    /// <summary>Some counter files could not be read.</summary>
    CountersUnreadable,
    /// <summary>An unexpected failure in one stage; the rest of the snapshot is still valid.</summary>
    Unexpected,
    /// <summary>The owner scan was not run, by option (<see cref="InventoryOptions.ScanOwners"/>): "no owner" means unknown, not orphaned.</summary>
    OwnersNotScanned,
}

/// <summary>One thing the snapshot could not see, and why.</summary>
/// <param name="Kind">The category.</param>
/// <param name="Detail">Human-readable explanation with counts or paths.</param>
/// <param name="Error">The errno behind it, when there is one.</param>
public sealed record BlindSpot(BlindSpotKind Kind, string Detail, LinuxError? Error = null);
