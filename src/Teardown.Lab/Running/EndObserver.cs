using System.Net;
using Teardown.Lab.Agent;
using Teardown.Lab.Observation;
using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Lab.Running;

/// <summary>
/// Observes a named connection end as scenario-format.md defines it: the timewait mini-socket when one
/// exists (its substate); else the full socket — on the agent's descriptor (TCP_INFO state, so CLOSE is
/// visible although unhashed) or orphaned (sock_diag); else GONE. Timer, expiry and queues come from
/// sock_diag (inet_diag.c:inet_sk_diag_fill / inet_twsk_diag_fill).
/// </summary>
internal sealed class EndObserver(LabSession session, EndRegistry ends, KernelTargetOptions options)
{
    public async Task<EndObservation> ObserveAsync(string name, CancellationToken ct)
    {
        KnownEnd? end = ends.Get(name);
        if (end is null) return EndObservation.Gone; // never created (e.g. accept failed)
        LabHost host = session.Hosts[end.Host];
        if (!host.IsUp) return EndObservation.Gone;

        AgentResponse? info = await InfoAsync(host, name, ct).ConfigureAwait(false);
        bool held = info is { Held: true };
        if (end.Role == SocketRole.Listener)
        {
            return held ? new EndObservation(info!.State, TimerKind.None, null, info!.InQ, info.OutQ, false) : EndObservation.Gone;
        }

        IPEndPoint? local = end.Local;
        if (held && info!.Local is not null) local = IPEndPoint.Parse(info.Local);
        IPEndPoint? remote = end.Remote;
        if (held && info!.Remote is not null) remote = IPEndPoint.Parse(info.Remote);
        DiagSocket? d = local is not null && remote is not null && local.Port != 0 ? host.Lookup(local, remote) : null;
        // scenario-format.md: the timewait mini-socket carries the end when one exists — also when the
        // application still holds the full socket it replaced (CLOSE after tcp_time_wait; no descriptor
        // holds the mini-socket, so it is an orphan).
        if (d is not null && d.Timer == TimerKind.Timewait && d.Inode == 0)
        {
            return new EndObservation(d.State, TimerKind.Timewait, Expiry(d), 0, 0, true);
        }

        if (held)
        {
            TcpState state = info!.State;
            if (d is not null && d.State == state)
            {
                return new EndObservation(state, d.Timer, Expiry(d), d.RecvQ, d.SendQ, false);
            }

            // Not in sock_diag (CLOSE is unhashed): the descriptor's ioctl queues (docs/kernel-notes.md §5.1).
            return new EndObservation(state, TimerKind.None, null, info.InQ, info.OutQ, false);
        }

        return d is null ? EndObservation.Gone : new EndObservation(d.State, d.Timer, Expiry(d), d.RecvQ, d.SendQ, true);
    }

    private static TimeSpan? Expiry(DiagSocket d) => d.Timer == TimerKind.None ? null : TimeSpan.FromMilliseconds(d.ExpiresMs);

    private async Task<AgentResponse?> InfoAsync(LabHost host, string name, CancellationToken ct)
    {
        AgentClient? agent = host.Agent;
        if (agent is null || agent.HasExited) return null;
        try
        {
            return await agent.CallAsync(new AgentRequest { Op = AgentOp.Info, Socket = name }, options.CallTimeout, ct).ConfigureAwait(false);
        }
        catch (AgentExitedException)
        {
            return null; // killed meanwhile: nothing is held
        }
    }
}
