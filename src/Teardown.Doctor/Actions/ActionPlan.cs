using System.Collections.Immutable;
using Teardown.Doctor.Classification;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Actions;

/// <summary>How a socket is cleared (docs/release-and-kill.md).</summary>
public enum ActionKind : byte
{
    /// <summary>Graceful: duplicate the owner's descriptor (pidfd_getfd) and shutdown(SHUT_WR) it; the kernel sends our FIN.</summary>
    Release,
    /// <summary>Abortive: netlink SOCK_DESTROY (tcp_abort); an RST where the state sends one.</summary>
    Kill,
}

/// <summary>The command names of the actions.</summary>
public static class ActionKindNames
{
    /// <summary>"release" or "kill", as the commands, the audit and the JSON name them.</summary>
    public static string Id(this ActionKind action) => action == ActionKind.Release ? "release" : "kill";
}

/// <summary>
/// What identifies a socket between the plan and the act: the kernel's cookie and 4-tuple, its
/// inode, and for a release the owner's pid and descriptor. Any of these changed means another
/// socket (a reused tuple, a reused descriptor number) and the act is skipped.
/// </summary>
/// <param name="Cookie">sock_diag cookie.</param>
/// <param name="Local">Local endpoint.</param>
/// <param name="Remote">Remote endpoint.</param>
/// <param name="Inode">Socket inode, 0 for a socket no descriptor refers to.</param>
/// <param name="State">State when planned.</param>
/// <param name="Pid">Owner, when held.</param>
/// <param name="Fd">Owner's descriptor, when held.</param>
public readonly record struct SocketIdentity(ulong Cookie, InetEndpoint Local, InetEndpoint Remote, ulong Inode, TcpState State, int? Pid, int? Fd);

/// <summary>One socket of a plan.</summary>
/// <param name="Socket">Which socket.</param>
/// <param name="Class">Why it is stuck.</param>
/// <param name="Action">What would be done.</param>
/// <param name="Owner">"nginx (pid 42, fd 17)", or null for a socket no process holds.</param>
/// <param name="OnTheWire">What goes to the peer.</param>
/// <param name="ApplicationSees">What the owner's descriptor then returns (null without an owner).</param>
/// <param name="Command">The owner's command name, when known.</param>
public sealed record PlannedAction(SocketIdentity Socket, SocketClass Class, ActionKind Action, string? Owner, string OnTheWire, string? ApplicationSees, string? Command = null);

/// <summary>A socket the selection matched but the action cannot be applied to, and why.</summary>
/// <param name="Socket">Which socket.</param>
/// <param name="Class">Its class.</param>
/// <param name="Reason">Why not.</param>
public sealed record NotPlanned(SocketIdentity Socket, SocketClass Class, string Reason);

/// <summary>A dry run: what would be done to which socket, and what was left out.</summary>
/// <param name="Actions">Sockets to act on, in table order, at most the selection's limit.</param>
/// <param name="Refused">Matched sockets the action does not apply to.</param>
/// <param name="BeyondLimit">Matched sockets left out by the limit.</param>
/// <param name="Younger">Matched sockets left out because they were not quiet for the selection's --older-than.</param>
public sealed record ActionPlan(ImmutableArray<PlannedAction> Actions, ImmutableArray<NotPlanned> Refused, int BeyondLimit, int Younger = 0);
