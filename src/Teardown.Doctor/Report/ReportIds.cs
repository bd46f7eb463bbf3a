using Teardown.Linux.Inventory;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Report;

/// <summary>
/// The ids the JSON report writes for enums that are not ours to name. Spelled out, not derived from
/// member names, so that renaming a C# member never changes the machine format.
/// </summary>
public static class ReportIds
{
    /// <summary>The id of a socket source.</summary>
    public static string Id(this SocketSource source) => source switch
    {
        SocketSource.SockDiag => "sock_diag",
        SocketSource.ProcNetTcp => "proc_net_tcp",
        _ => "none",
    };

    /// <summary>The id of a blind spot kind.</summary>
    public static string Id(this BlindSpotKind kind) => kind switch
    {
        BlindSpotKind.NotRoot => "not-root",
        BlindSpotKind.ProcPartlyUnreadable => "proc-partly-unreadable",
        BlindSpotKind.SockDiagUnavailable => "sock-diag-unavailable",
        BlindSpotKind.ReducedSocketDetail => "reduced-socket-detail",
        BlindSpotKind.SocketsUnavailable => "sockets-unavailable",
        BlindSpotKind.DumpInconsistent => "dump-inconsistent",
        BlindSpotKind.NamespaceUnavailable => "namespace-unavailable",
        BlindSpotKind.OwnersUnavailable => "owners-unavailable",
        BlindSpotKind.SettingsUnreadable => "settings-unreadable",
        BlindSpotKind.CountersUnreadable => "counters-unreadable",
        BlindSpotKind.OwnersNotScanned => "owners-not-scanned",
        BlindSpotKind.Unexpected => "unexpected",
        _ => "unexpected", // a kind added without its id here: ReportSchemaTests catches the clash
    };
}
