namespace Teardown.Lab.Reproduction;

/// <summary>How many connections of each stuck kind <see cref="AccumulationBuilder"/> creates.</summary>
public sealed record AccumulationPlan
{
    /// <summary>Server :8080 never reads or closes after the client left (CLOSE_WAIT, Recv-Q 1; the client's end an orphaned FIN_WAIT2).</summary>
    public int LeakyServerUnread { get; init; } = 120;
    /// <summary>
    /// Time over which the :8080 leak is spread, so that ages differ and the doctor can estimate a
    /// leak rate (it needs an oldest socket of at least 1 s).
    /// </summary>
    public TimeSpan LeakSpread { get; init; } = TimeSpan.FromSeconds(1.5);
    /// <summary>Server :8080 read the end of stream but never closed (CLOSE_WAIT, Recv-Q 0).</summary>
    public int LeakyServerReadNotClosed { get; init; } = 40;
    /// <summary>Server :8080 handler stuck on a request (CLOSE_WAIT, Recv-Q &gt; 1).</summary>
    public int StuckHandler { get; init; } = 25;
    /// <summary>Client pool keeps connections that server :6379 closed (our client in CLOSE_WAIT; the server's end orphaned FIN_WAIT2).</summary>
    public int StalePool { get; init; } = 200;
    /// <summary>Client half-closes (shutdown(SHUT_WR)) to :9000 and keeps the descriptor (FIN_WAIT2 half-closed).</summary>
    public int HalfClosing { get; init; } = 30;
    /// <summary>Connections to :8081 that are never accepted and then given up by the client (CLOSE_WAIT, inode 0).</summary>
    public int NeverAccepted { get; init; } = 50;
    /// <summary>Short connections to :8082 closed by the client first (TIME_WAIT).</summary>
    public int TimeWait { get; init; } = 600;
    /// <summary>Healthy connections to :8083.</summary>
    public int Established { get; init; } = 20;
    /// <summary>
    /// Connections whose peer becomes unreachable before we close (our FIN retransmitted by an
    /// orphaned FIN_WAIT1; the peer's end stays ESTABLISHED). Needs iproute2's <c>ip</c>.
    /// </summary>
    public int UnreachableFinWait1 { get; init; } = 5;
    /// <summary>
    /// Connections the peer closed, then became unreachable, then we closed (orphaned LAST_ACK
    /// retransmitting; the peer's end an orphaned FIN_WAIT2). Needs iproute2's <c>ip</c>.
    /// </summary>
    public int UnreachableLastAck { get; init; } = 5;
    /// <summary>ip_local_port_range to set inside the private namespace (null: leave it), so TIME_WAIT volume matters at demo scale.</summary>
    public (int Low, int High)? PortRange { get; init; } = (40000, 40999);

    /// <summary>Total connections.</summary>
    public int Connections => LeakyServerUnread + LeakyServerReadNotClosed + StuckHandler + StalePool + HalfClosing + NeverAccepted + TimeWait + Established
        + UnreachableFinWait1 + UnreachableLastAck;
}
