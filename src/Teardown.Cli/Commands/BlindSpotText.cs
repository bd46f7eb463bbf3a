using Teardown.Doctor.Report;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Commands;

/// <summary>Blind spots in words, for people (the JSON keeps the kind's stable id).</summary>
internal static class BlindSpotText
{
    internal static string Label(BlindSpotKind kind) => kind switch
    {
        BlindSpotKind.NotRoot => "not root",
        BlindSpotKind.ProcPartlyUnreadable => "some processes unreadable",
        BlindSpotKind.SockDiagUnavailable => "sock_diag unavailable",
        BlindSpotKind.ReducedSocketDetail => "less detail (/proc/net/tcp)",
        BlindSpotKind.SocketsUnavailable => "no socket source",
        BlindSpotKind.DumpInconsistent => "socket table changed during the dump",
        BlindSpotKind.NamespaceUnavailable => "namespace not seen",
        BlindSpotKind.OwnersUnavailable => "owners unknown",
        BlindSpotKind.OwnersNotScanned => "owners not scanned",
        BlindSpotKind.SettingsUnreadable => "some settings unreadable",
        BlindSpotKind.CountersUnreadable => "some counters unreadable",
        _ => "unexpected failure",
    };

    /// <summary>What part of the host was hidden, in one line ("" when nothing was): the namespaces first.</summary>
    internal static string Hidden(IReadOnlyList<DoctorReport> reports)
    {
        var parts = reports.SelectMany(r => r.BlindSpots)
            .Where(b => b.Kind is BlindSpotKind.NamespaceUnavailable or BlindSpotKind.NotRoot or BlindSpotKind.ProcPartlyUnreadable
                or BlindSpotKind.SocketsUnavailable or BlindSpotKind.OwnersUnavailable)
            .OrderBy(b => b.Kind != BlindSpotKind.NamespaceUnavailable)
            .Select(b => b.Detail)
            .Distinct(StringComparer.Ordinal);
        return string.Join("; ", parts);
    }
}
