using CsCheck;
using Teardown.Model.Kernel;
using Teardown.Model.Rules;
using Teardown.Model.Simulation;

namespace Teardown.Model.Tests.Properties;

/// <summary>
/// The doctor's reap predictions (<see cref="ReapRules"/>) against the model's simulation: for random
/// settings, an orphan is freed exactly when the rules say. Each property runs a fixed list of 200 random
/// configurations (one CsCheck sample from a pinned seed), so a failure names a configuration that reproduces.
/// </summary>
public sealed class ReapRuleProperties
{
    private const int Configurations = 200;

    /// <summary>A pinned PCG seed: the same 200 configurations on every run.</summary>
    private const string Seed = "1xn1HwIbwfUS";

    private static readonly uint LocalAddr = Addr.Parse("10.0.0.1");
    private static readonly uint PeerAddr = Addr.Parse("10.0.0.2");
    private static readonly int[] HzChoices = [100, 250, 300, 1000];
    private static readonly Gen<int> s_hz = Gen.Int[0, 3].Select(i => HzChoices[i]);

    /// <summary>One-way delays up to 400 ms keep the RTT under TCP_TIMEOUT_INIT, so the handshake is clean.</summary>
    private static readonly Gen<long> s_oneWayDelayUs = Gen.Frequency((1, Gen.Long[50, 5_000]), (2, Gen.Long[5_000, 400_000]));

    /// <summary>
    /// Paths of seconds: the SYN is retransmitted, and the RTO the orphan starts from can be large enough to reach
    /// TCP_RTO_MAX (no longer "alive") before tcp_orphan_retries = 0 would have meant 8.
    /// </summary>
    private static readonly Gen<long> s_longOneWayDelayUs = Gen.Long[1_000_000, 8_000_000];

    /// <summary>tcp_fin_timeout: often a few seconds, where the 3.5·RTO floor can decide; else up to 300 s (2X − 120 s = 480 s).</summary>
    private static readonly Gen<int> s_finTimeout = Gen.Frequency((2, Gen.Int[1, 10]), (3, Gen.Int[1, 300]));

    /// <summary>TCP_LINGER2: unset, negative (reset at close), or seconds, some beyond the clamp at 120.</summary>
    private static readonly Gen<int> s_linger2 = Gen.Frequency((3, Gen.Const(0)), (1, Gen.Const(-1)), (2, Gen.Int[1, 10]), (2, Gen.Int[1, 150]));

    /// <summary>RTO expiries of our FIN before the wire lets it through: a backed-off RTO, so a larger 3.5·RTO floor.</summary>
    private static readonly Gen<int> s_finLosses = Gen.Frequency((2, Gen.Const(0)), (1, Gen.Int[1, 5]));

    private static readonly Gen<Keepalive> s_keepalive =
        Gen.Select(Gen.Bool, Gen.Int[1, 200], Gen.Int[1, 75], Gen.Int[1, 9], (on, idle, intvl, cnt) => new Keepalive(on, idle, intvl, cnt));

    private static readonly Gen<FinWait2Case> s_finWait2 =
        Gen.Select(
            Gen.Select(s_finTimeout, s_linger2, s_hz, s_oneWayDelayUs),
            Gen.Select(Gen.Bool, Gen.Int[0, 100_000], s_finLosses, s_keepalive, s_keepalive),
            (a, b) => new FinWait2Case(a.Item1, a.Item2, a.Item3, a.Item4, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5));

    private static readonly Gen<FinWait1Case> s_finWait1 =
        Gen.Select(Gen.Frequency((1, Gen.Const(0)), (2, Gen.Int[0, 15])), s_hz, Gen.Frequency((2, s_oneWayDelayUs), (1, s_longOneWayDelayUs)),
            (retries, hz, delay) => new FinWait1Case(retries, hz, delay));

    [Fact]
    public void OrphanFinWait2_IsFreedWhenReapRulesSay_WithinTheTimerWheelsSlack() =>
        s_finWait2.Array[Configurations].Sample(cases =>
        {
            foreach (var c in cases)
            {
                (FinWait2Lifetime predicted, TimeSpan simulated) = SimulateFinWait2(c);
                Assert.True(
                    simulated >= predicted.Total && simulated <= predicted.Latest,
                    $"{c}: ReapRules.OrphanFinWait2 says {predicted.Total}..{predicted.Latest}, the model freed it after {simulated}");
            }
        }, seed: Seed, iter: 1, print: cases => $"{cases.Length} configurations");

    [Fact]
    public void OrphanFinWait1_GivesUpAtTheFirstRtoPastReapRulesRetransmitGiveUp() =>
        s_finWait1.Array[Configurations].Sample(cases =>
        {
            foreach (var c in cases) CheckFinWait1(c);
        }, seed: Seed, iter: 1, print: cases => $"{cases.Length} configurations");

    /// <summary>
    /// Two hosts, one connection; Local orphans a FIN_WAIT2 socket either by close() after shutdown(SHUT_WR)
    /// (the clock starts at close) or by close() in ESTABLISHED (the clock starts when the peer's ACK of the FIN
    /// ends FIN_WAIT1). The peer stays in CLOSE_WAIT, keepalive on or off at both ends, which must not matter.
    /// </summary>
    private static (FinWait2Lifetime Predicted, TimeSpan Simulated) SimulateFinWait2(FinWait2Case c)
    {
        var watch = new EndWatch(LocalAddr);
        var sim = new Simulator(new DeterministicRandom(1), watch);
        var local = sim.AddHost("local", LocalAddr, Settings(c.Hz, k =>
        {
            k.TcpFinTimeout = c.FinTimeout;
            c.LocalKeepalive.ApplySysctls(k);
        }));
        var peer = sim.AddHost("peer", PeerAddr, Settings(c.Hz, c.PeerKeepalive.ApplySysctls));
        sim.Network.SetDelay(LocalAddr, PeerAddr, new SimDuration(c.OneWayDelayUs));

        (int fd, int peerFd) = Connect(sim, local, peer);
        var sock = local.SocketOf(fd)!;
        watch.Tuple = sock.Tuple;
        c.LocalKeepalive.ApplyOptions(local, fd);
        c.PeerKeepalive.ApplyOptions(peer, peerFd);
        Assert.False(local.SetLinger2(fd, c.Linger2).Failed);

        SimTime orphanedAt;
        if (c.ShutdownFirst)
        {
            SendFinLosing(sim, sock, c.FinLosses, () => local.Shutdown(fd, ShutdownFlags.Send));
            AwaitAckOfFin(sim, watch, c);
            sim.RunUntil(sim.Now + SimDuration.FromMilliseconds(c.CloseAfterMs));
            Assert.True(sock.State == TcpState.FinWait2, $"{c}: {sock.State} before close(), not FIN_WAIT2");
            local.Close(fd);
            orphanedAt = sim.Now;
        }
        else
        {
            SendFinLosing(sim, sock, c.FinLosses, () => local.Close(fd));
            AwaitAckOfFin(sim, watch, c);
            orphanedAt = watch.LeftFinWait1At;
        }

        // What the doctor would read from tcp_info before the socket became a timewait mini-socket: its RTO and TCP_LINGER2.
        var predicted = ReapRules.OrphanFinWait2(sock.Linger2, c.FinTimeout, TimeSpan.FromMicroseconds(sock.RtoUs), c.Hz);
        sim.RunUntil(orphanedAt + SimDuration.FromSeconds(600));
        Assert.True(watch.GoneAt != SimTime.Never, $"{c}: still held after 600 s");
        return (predicted, (watch.GoneAt - orphanedAt).ToTimeSpan());
    }

    /// <summary>
    /// close() in ESTABLISHED with the wire cut: the orphan retransmits its FIN and dies at an RTO expiry. At every
    /// RTO expiry the rules decide: give up once the time since the first retransmission reaches
    /// RetransmitGiveUp(OrphanRetries(sysctl, alive)), alive judged from the RTO the socket has then.
    /// </summary>
    private static void CheckFinWait1(FinWait1Case c)
    {
        var watch = new EndWatch(LocalAddr);
        var sim = new Simulator(new DeterministicRandom(1), watch);
        var local = sim.AddHost("local", LocalAddr, Settings(c.Hz, k => k.TcpOrphanRetries = c.OrphanRetries));
        var peer = sim.AddHost("peer", PeerAddr, Settings(c.Hz, _ => { }));
        sim.Network.SetDelay(LocalAddr, PeerAddr, new SimDuration(c.OneWayDelayUs));
        (int fd, _) = Connect(sim, local, peer);
        var sock = local.SocketOf(fd)!;
        watch.Tuple = sock.Tuple;
        watch.Socket = sock;

        // Data acknowledged over the path gives the RTT samples the orphan's RTO starts from.
        Assert.False(local.Send(fd, 1000).Failed);
        sim.RunUntil(sim.Now + new SimDuration((2 * c.OneWayDelayUs) + 2_000_000));
        sim.Network.SetDropping(LocalAddr, PeerAddr, true);
        sim.Network.SetDropping(PeerAddr, LocalAddr, true);

        local.Close(fd);
        sim.RunUntil(sim.Now + SimDuration.FromSeconds(3000));

        Assert.True(watch.GoneAt != SimTime.Never, $"{c}: the orphan never gave up");
        Assert.True(watch.RtoFires.Count > 0 && watch.RtoFires[^1].At == watch.GoneAt, $"{c}: it died at {watch.GoneAt}, not at an RTO expiry");
        SimTime stamp = sock.RetransStamp;
        foreach ((SimTime at, long rtoUs) in watch.RtoFires)
        {
            if (at <= stamp) continue;
            int boundary = ReapRules.OrphanRetries(c.OrphanRetries, ReapRules.OrphanAlive(TimeSpan.FromMicroseconds(rtoUs)), softError: false);
            bool rulesSayExpired = (at - stamp).ToTimeSpan() >= ReapRules.RetransmitGiveUp(boundary);
            bool modelGaveUp = at == watch.GoneAt;
            Assert.True(rulesSayExpired == modelGaveUp,
                $"{c}: RTO at {at} (rto {rtoUs} us, {at - stamp} after the first retransmission, boundary {boundary}): rules say expired={rulesSayExpired}, model gave up={modelGaveUp}");
        }
    }

    /// <summary>
    /// Sends the FIN (shutdown or close) and loses its first <paramref name="losses"/> transmissions: the original
    /// (with any loss probe) and the RTO retransmissions before the one that gets through, backed off that often.
    /// </summary>
    private static void SendFinLosing(Simulator sim, TcpSocket sock, int losses, Action sendFin)
    {
        sim.Network.SetDropping(LocalAddr, PeerAddr, losses > 0);
        sendFin();
        while (sock.TotalRto < losses - 1 && sim.Step())
        {
        }

        sim.Network.SetDropping(LocalAddr, PeerAddr, false);
    }

    private static void AwaitAckOfFin(Simulator sim, EndWatch watch, FinWait2Case c)
    {
        SimTime limit = sim.Now + SimDuration.FromSeconds(300);
        while (watch.LeftFinWait1At == SimTime.Never && sim.Now < limit && sim.Step())
        {
        }

        // With TCP_LINGER2 < 0 the ACK of the FIN ends an orphan at once; otherwise it must find it alive.
        Assert.True(watch.LeftFinWait1At != SimTime.Never && (watch.GoneAt != watch.LeftFinWait1At || c.Linger2 < 0),
            $"{c}: the FIN was never acknowledged, or the orphan gave up in FIN_WAIT1");
    }

    private static KernelSettings Settings(int hz, Action<KernelSettings> more)
    {
        var k = new KernelSettings { Hz = hz };
        more(k);
        return k;
    }

    private static (int Fd, int PeerFd) Connect(Simulator sim, Host local, Host peer)
    {
        int listenFd = (int)peer.Listen(80).Value;
        var connect = local.Connect(PeerAddr, 80, out int fd);
        sim.RunUntil(sim.Now + SimDuration.FromSeconds(60));
        Assert.True(connect.Completed && !connect.Result.Failed, $"connect: {connect.Result}");
        var accepted = peer.Accept(listenFd);
        Assert.False(accepted.Failed, $"accept: {accepted}");
        return (fd, (int)accepted.Value);
    }

    /// <summary>Keepalive settings of one end: the sysctls always, SO_KEEPALIVE and the per-socket options when on.</summary>
    private sealed record Keepalive(bool On, int Idle, int Interval, int Probes)
    {
        public void ApplySysctls(KernelSettings k)
        {
            k.TcpKeepaliveTime = Idle;
            k.TcpKeepaliveIntvl = Interval;
            k.TcpKeepaliveProbes = Probes;
        }

        public void ApplyOptions(Host host, int fd)
        {
            if (!On) return;
            Assert.False(host.SetKeepalive(fd, true).Failed);
            Assert.False(host.SetKeepaliveParameter(fd, "TCP_KEEPIDLE", Idle).Failed);
        }
    }

    private sealed record FinWait2Case(
        int FinTimeout, int Linger2, int Hz, long OneWayDelayUs, bool ShutdownFirst, int CloseAfterMs, int FinLosses,
        Keepalive LocalKeepalive, Keepalive PeerKeepalive);

    private sealed record FinWait1Case(int OrphanRetries, int Hz, long OneWayDelayUs);

    /// <summary>Watches one connection end on one host: when it left FIN_WAIT1, when it was gone, and its RTO expiries.</summary>
    private sealed class EndWatch(uint hostAddr) : IModelObserver
    {
        public FourTuple? Tuple { get; set; }

        public TcpSocket? Socket { get; set; }

        public SimTime LeftFinWait1At { get; private set; } = SimTime.Never;

        public SimTime GoneAt { get; private set; } = SimTime.Never;

        public List<(SimTime At, long RtoUs)> RtoFires { get; } = [];

        public void OnTransition(SimTime at, Host host, FourTuple tuple, TcpState? from, TcpState? to, Cause cause)
        {
            if (!Mine(host, tuple)) return;
            if (from == TcpState.FinWait1 && to != TcpState.FinWait1 && LeftFinWait1At == SimTime.Never) LeftFinWait1At = at;
            if (to is null && GoneAt == SimTime.Never) GoneAt = at;
        }

        public void OnTimer(SimTime at, Host host, FourTuple tuple, TimerKind kind, TimerChange change, SimTime expires)
        {
            // Called just before the timer runs: the RTO is the one tcp_write_timeout judges "alive" by.
            if (change == TimerChange.Fired && Mine(host, tuple) && Socket is { RetransmitPending: RetransmitKind.Rto } s) RtoFires.Add((at, s.RtoUs));
        }

        public void OnSegment(SimTime at, Host from, Host? to, in Segment segment, bool dropped)
        {
        }

        public void OnCounter(SimTime at, Host host, Mib counter, long value)
        {
        }

        public void OnCallCompleted(SimTime at, Host host, PendingCall call)
        {
        }

        private bool Mine(Host host, FourTuple tuple) => host.Address == hostAddr && Tuple is { } t && t == tuple;
    }
}
