using System.Collections.Immutable;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Inventory;

/// <summary>
/// For a caller that takes snapshots again and again (the server): whether the next dump should ask
/// tcp_info for the detail states only — two walks of the hash tables, the rest bare — or for every
/// state in one walk, judged from the socket mix of the snapshot before. Pure.
/// </summary>
/// <remarks>
/// The two costs it weighs, measured on the 170,000-socket benchmark population (6.18, 2 cores):
/// a walk of the established hash visits every socket of the table whatever the filter
/// (net/ipv4/inet_diag.c:inet_diag_dump_icsk): ≈ 24 ms, ≈ 0.14 µs per socket; filling tcp_info
/// (net/ipv4/tcp.c:tcp_get_info under net/ipv4/tcp_diag.c:tcp_diag_get_info) costs ≈ 0.23 µs per
/// full socket (148 ms for one walk with it against 116 ms bare). A second walk therefore pays only
/// when the sockets it would spare tcp_info outnumber ~0.6× the whole table — a host of mostly
/// ESTABLISHED connections; on a leak-heavy table (most sockets in the teardown states) one walk
/// with tcp_info for all is the cheaper dump. Extra tcp_info on states the analysis does not time is
/// ignored, so either choice gives the same analysis.
/// </remarks>
public static class DetailPlan
{
    /// <summary>Cost of walking past one socket against filling one tcp_info (0.14 µs / 0.23 µs, measured).</summary>
    internal const double WalkToInfoCost = 0.6;

    /// <summary>
    /// The detail states for the next dump: <paramref name="wanted"/> (split) when the full sockets of
    /// the other states in <paramref name="previous"/> are many enough to pay for a second walk,
    /// otherwise <see cref="TcpStateMask.All"/> (one walk, tcp_info for every full socket).
    /// With no previous snapshot, <paramref name="wanted"/>.
    /// </summary>
    /// <param name="wanted">The states whose tcp_info the caller reads.</param>
    /// <param name="previous">The socket tables of the snapshot before (one per namespace), none if there was none.</param>
    public static TcpStateMask Choose(TcpStateMask wanted, IEnumerable<ImmutableArray<SocketRecord>> previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (wanted == TcpStateMask.All) return wanted;
        long total = 0, spared = 0;
        foreach (var table in previous)
        {
            total += table.Length;
            foreach (ref readonly var s in table.AsSpan())
            {
                if (WouldCarryTcpInfo(s.KernelState) && ((uint)wanted & (1u << (s.State & 31))) == 0) spared++;
            }
        }

        if (total == 0) return wanted;
        return spared > WalkToInfoCost * total ? wanted : TcpStateMask.All;
    }

    /// <summary>
    /// Whether a dump asking for INET_DIAG_INFO fills it for a socket in this state: full sockets only;
    /// timewait mini-sockets (net/ipv4/inet_diag.c:inet_twsk_diag_fill) and request sockets
    /// (inet_req_diag_fill) never carry it.
    /// </summary>
    internal static bool WouldCarryTcpInfo(TcpState state) => state is not (TcpState.TimeWait or TcpState.NewSynRecv);
}
