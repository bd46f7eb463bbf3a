using System.Collections.Immutable;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Actions;

/// <summary>
/// Turns a selection into a plan over one snapshot. Pure: nothing is done here. What each action
/// does per class was measured on Linux 6.18 (docs/release-and-kill.md).
/// </summary>
public static class ActionPlanner
{
    /// <summary>Plans <paramref name="selection"/> over <paramref name="input"/> as analysed in <paramref name="report"/>.</summary>
    /// <exception cref="ArgumentException">The finding number is not one of the report's.</exception>
    public static ActionPlan Plan(DoctorInput input, DoctorReport report, ActionSelection selection, SocketIndex? prebuilt = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(selection);
        var finding = selection.Finding is int n
            ? n >= 1 && n <= report.Findings.Length ? report.Findings[n - 1] : throw new ArgumentException($"there is no finding {n} (the report has {report.Findings.Length})", nameof(selection))
            : null;
        var index = prebuilt is not null && prebuilt.Sockets == input.Sockets ? prebuilt : SocketIndex.Build(input.Sockets, input.Settings);
        var actions = ImmutableArray.CreateBuilder<PlannedAction>();
        var refused = ImmutableArray.CreateBuilder<NotPlanned>();
        int beyond = 0, younger = 0;
        var sockets = input.Sockets.AsSpan();
        for (int i = 0; i < sockets.Length; i++)
        {
            ref readonly var s = ref sockets[i];
            var c = index.Classes[i];
            int? pid = null, fd = null;
            string? comm = null;
            if (s.Inode != 0 && input.Owners.TryGetOwner(s.Inode, out var owner))
            {
                (pid, fd) = (owner.Pid, owner.Fd);
                comm = input.Processes.TryGetValue(owner.Pid, out var p) ? p.Comm : null;
            }

            if (!Matches(in s, c, index.Sides[i], pid, selection, finding)) continue;

            var identity = new SocketIdentity(s.Cookie, s.Local, s.Remote, s.Inode, s.KernelState, pid, fd);
            string? ownerText = pid is int op ? $"{comm ?? "?"} (pid {op}, fd {fd})" : null;
            var (planned, why) = selection.Action == ActionKind.Kill && pid is not null && !NamesHeldSockets(selection)
                ? (null, "held by a process: release it (a clean FIN) — or name it with --class, --pid, --finding or --state to destroy it")
                : Decide(identity, c, selection.Action, ownerText);
            if (planned is not null && comm is not null) planned = planned with { Command = comm };
            if (planned is null)
            {
                refused.Add(new NotPlanned(identity, c, why!));
            }
            else if (!OldEnough(in s, selection))
            {
                younger++;
            }
            else if (selection.Limit is int limit && actions.Count >= limit)
            {
                beyond++;
            }
            else
            {
                actions.Add(planned);
            }
        }

        return new ActionPlan(actions.ToImmutable(), refused.ToImmutable(), beyond, younger);
    }

    private static bool Matches(in SocketRecord s, SocketClass c, Side side, int? pid, ActionSelection sel, Findings.Finding? finding)
    {
        var state = s.KernelState;
        bool guarded = state is TcpState.Listen or TcpState.Established or TcpState.TimeWait || c == SocketClass.TimeWait;
        if (guarded ? !sel.States.Contains(state) : sel.States.Count > 0 && !sel.States.Contains(state)) return false;
        if (sel.Class is SocketClass wanted && c != wanted) return false;
        if (sel.Pid is int only && pid != only) return false;
        if (sel.Port is int port && s.Local.Port != port && s.Remote.Port != port) return false;
        if (sel.Remote is string remote && !RemoteMatches(s.Remote, remote)) return false;
        if (finding is not null)
        {
            var key = GroupKey.Of(c, side, pid ?? 0, in s);
            if (c != finding.Class || side != finding.Side || (pid ?? 0) != (finding.Owner?.Pid ?? 0) || key.ServiceText != finding.Service) return false;
        }

        return true;
    }

    /// <summary>Quiet (nothing received, not even an ACK) for at least the selection's age; without tcp_info a socket's age is unknown, so it is not old enough.</summary>
    private static bool OldEnough(in SocketRecord s, ActionSelection sel) =>
        sel.OlderThan is not TimeSpan age || age <= TimeSpan.Zero ||
        (s.TcpInfoLength != 0 && Math.Min(s.LastDataRecvMs, s.LastAckRecvMs) >= age.TotalMilliseconds);

    /// <summary>
    /// Kill is for sockets no process holds; a held one is destroyed only when the selection names
    /// it explicitly (its class, its process, its finding or its state), never by a port or peer alone.
    /// </summary>
    private static bool NamesHeldSockets(ActionSelection sel) =>
        sel.Class is not null || sel.Pid is not null || sel.Finding is not null || sel.States.Count > 0;

    private static bool RemoteMatches(InetEndpoint remote, string wanted) =>
        wanted.Contains(':', StringComparison.Ordinal) && !wanted.StartsWith('[') && wanted.Count(ch => ch == ':') > 1
            ? remote.Address.ToString() == wanted // a bare IPv6 address
            : remote.ToString() == wanted || remote.Address.ToString() == wanted;

    /// <summary>The action for a class, or why it does not apply (facts: docs/release-and-kill.md).</summary>
    private static (PlannedAction? Planned, string? Why) Decide(SocketIdentity id, SocketClass c, ActionKind action, string? owner)
    {
        if (action == ActionKind.Release)
        {
            if (id.Pid is null) return (null, "no process holds it: nothing to release (kill clears it)");
            return c switch
            {
                SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed or SocketClass.CloseWaitUnreadData =>
                    (new PlannedAction(id, c, ActionKind.Release, owner,
                        "our FIN (shutdown SHUT_WR sends FIN, never RST, even with unread data): the peer reads end of stream",
                        "its descriptor stays open: read returns any unread bytes then 0, write fails with EPIPE; only the application can close it"), null),
                SocketClass.FinWait2HalfClosed => (null, "half-closed FIN_WAIT2: our FIN is already sent; shutdown from outside changes nothing on the wire and would turn the peer's later data into a reset"),
                _ => (null, $"{c.Id()}: release applies to CLOSE_WAIT held by a process"),
            };
        }

        string wire = c switch
        {
            SocketClass.FinWait1Orphaned => "an RST (tcp_abort resets an orphaned FIN_WAIT1)",
            SocketClass.LastAckOrphaned or SocketClass.TimeWait => "nothing: the socket vanishes silently",
            SocketClass.FinWait2Orphaned => "nothing: the mini-socket vanishes; the peer stays in CLOSE_WAIT and its later FIN is answered by an RST",
            _ => "an RST: the peer's next call fails with ECONNRESET",
        };
        string? app = id.Pid is null ? null
            : id.State == TcpState.CloseWait ? "read still returns end of stream; the first write fails with ECONNABORTED, then EPIPE; the descriptor stays open"
            : "the next call fails with ECONNABORTED (reads) or EPIPE (writes); the descriptor stays open";
        return (new PlannedAction(id, c, ActionKind.Kill, owner, wire, app), null);
    }
}
