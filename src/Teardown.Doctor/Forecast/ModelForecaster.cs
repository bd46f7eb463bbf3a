using Teardown.Doctor.Classification;
using Teardown.Model;
using Teardown.Model.Kernel;

namespace Teardown.Doctor.Forecast;

/// <summary>
/// Runs the model forward from a socket in an observed state. The world is the class's story
/// (<see cref="ClassStory"/>) under the settings in effect, advanced until the model's socket looks like
/// the observed one — the same number of retransmissions, the same time left on the same timer — and
/// from that instant on the change (if any) applies: sysctls as the kernel reads them from then on
/// (a timer already armed keeps its expiry; a value read when a timer fires is the new one), socket
/// options on the descriptor if the application still holds it. The run ends when the socket is GONE or
/// at the horizon. Pure: a virtual clock, a fixed seed, no I/O.
/// </summary>
public static class ModelForecaster
{
    /// <summary>How far forward the model looks before it says "never".</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(7);

    /// <summary>The one-way delay assumed when the socket's RTO says nothing (a LAN).</summary>
    private static readonly SimDuration DefaultOneWay = new(500);

    /// <summary>True when the model has a story for <paramref name="c"/>.</summary>
    public static bool Supports(SocketClass c) => ClassStory.Supports(c);

    /// <summary>
    /// The future of the observed socket under <paramref name="settings"/>, with <paramref name="change"/>
    /// applied from now on (null: nothing changes). <paramref name="peerShares"/> says the peer end lives
    /// on the same host (same namespace), so a sysctl change applies to it too.
    /// </summary>
    public static Outcome Existing(ObservedEnd observed, KernelSettings settings, SettingChange? change = null, bool peerShares = false)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(settings);
        if (!Supports(observed.Class)) throw new ArgumentException($"no model story for {observed.Class}", nameof(observed));
        var story = ClassStory.Play(observed, SeedSettings(observed, settings), settings.Clone(), OneWay(observed),
            keepalive: observed.Timer == TimerKind.Keepalive && observed.Class is not SocketClass.FinWait2Orphaned);
        Position(story, observed);

        // From now on the kernel reads the settings in effect, whatever the socket was orphaned under.
        story.Us.Settings.TcpFinTimeout = settings.TcpFinTimeout;
        return Forward(story, change, peerShares);
    }

    /// <summary>
    /// The life of a new socket of the same class, from the call that leads to the class (our close() or
    /// shutdown(), or the peer's close() for CLOSE_WAIT) until it is freed, under
    /// <paramref name="settings"/> with <paramref name="change"/> in effect from the start.
    /// </summary>
    public static Outcome Fresh(ObservedEnd observed, KernelSettings settings, SettingChange? change = null, bool peerShares = false)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(settings);
        if (!Supports(observed.Class)) throw new ArgumentException($"no model story for {observed.Class}", nameof(observed));
        var ours = change?.Apply(settings) ?? settings.Clone();
        var peers = peerShares ? ours.Clone() : settings.Clone();
        Action<Host, int>? options = change is { SocketOptions.Count: > 0 } ? (host, fd) => SetOptions(host, fd, change) : null;
        var story = ClassStory.Play(observed with { Timer = TimerKind.None, TimerLeft = null, Retransmits = 0 }, ours, peers, OneWay(observed),
            options, keepalive: observed.Timer == TimerKind.Keepalive && observed.Class is not SocketClass.FinWait2Orphaned, stopAtTrigger: true);
        return Forward(story, change: null, peerShares, from: story.Triggered);
    }

    /// <summary>
    /// The settings to play the story under so that it can reach what was observed. An orphaned FIN_WAIT2
    /// whose timer has more left than tcp_fin_timeout gives now (on the keepalive timer while X ≤ 60 s, or a
    /// timewait budget above X) was orphaned under a larger value: play it under one just large enough,
    /// then the run goes on under the value in effect (net/ipv4/tcp_timer.c:tcp_keepalive_timer reads
    /// tcp_fin_time again when it fires; a timewait timer keeps its expiry).
    /// </summary>
    private static KernelSettings SeedSettings(ObservedEnd observed, KernelSettings settings)
    {
        var seed = settings.Clone();
        if (observed.Class != SocketClass.FinWait2Orphaned || observed.TimerLeft is not TimeSpan left) return seed;
        int leftSeconds = (int)Math.Ceiling(left.TotalSeconds) + 1;
        if (observed.Timer == TimerKind.Keepalive && settings.TcpFinTimeout <= 60 + leftSeconds - 1)
        {
            seed.TcpFinTimeout = 60 + leftSeconds;
        }
        else if (observed.Timer == TimerKind.Timewait && settings.TcpFinTimeout < leftSeconds)
        {
            seed.TcpFinTimeout = Math.Min(leftSeconds, 60);
        }

        return seed;
    }

    // Advance the story until the model's socket has made as many retransmissions as the observed one and
    // has as little time left on the same timer.
    private static void Position(ClassStory story, ObservedEnd observed)
    {
        var ours = story.Recorder.Ours!.Value;
        var limit = story.Entered + SimDuration.FromTimeSpan(Horizon);
        while (observed.Retransmits > 0 && story.Us.RetransmitsOf(ours) < observed.Retransmits && story.Us.Inspect(ours).State is not null
               && story.Sim.NextEventTime <= limit && story.Sim.Step())
        {
        }

        if (observed.TimerLeft is not TimeSpan left) return;
        var view = story.Us.Inspect(ours);
        if (view.Timer != observed.Timer || view.Expires is not SimDuration modelLeft) return;
        var wanted = SimDuration.FromTimeSpan(left);
        if (modelLeft > wanted) story.Sim.RunUntil(story.Sim.Now + (modelLeft - wanted));
    }

    private static Outcome Forward(ClassStory story, SettingChange? change, bool peerShares, SimTime? from = null)
    {
        var sim = story.Sim;
        var start = from ?? sim.Now;
        var recorder = story.Recorder;
        if (from is null) recorder.Mark = start;
        var ours = recorder.Ours!.Value;
        if (change is not null)
        {
            foreach (var (key, value) in change.Sysctls)
            {
                story.Us.Settings.TryApply(key, value, out _);
                if (peerShares) story.Peer.Settings.TryApply(key, value, out _);
            }

            if (story.OurFd is int fd && story.Us.Inspect(ours).State is not null) SetOptions(story.Us, fd, change);
        }

        bool gone = story.Us.Inspect(ours).State is null;
        var limit = start + SimDuration.FromTimeSpan(Horizon);
        while (!gone && sim.NextEventTime <= limit && sim.Step())
        {
            gone = recorder.GoneAt is not null;
        }

        var before = recorder.CountersAtMark;
        var after = ForecastRecorder.CountersOf(story.Us);
        var moved = new Dictionary<Mib, long>();
        for (int i = 0; i < after.Length; i++)
        {
            if (after[i] != before[i]) moved[(Mib)i] = after[i] - before[i];
        }

        var states = recorder.PathSince(start).Select(p => p.State).ToList();
        TimeSpan? reaped = recorder.GoneAt is SimTime g ? (g - start).ToTimeSpan() : null;
        var peer = recorder.SentRst ? PeerSees.Rst : recorder.SentFin ? PeerSees.Fin : PeerSees.Nothing;
        bool held = reaped is not null && story.OurFd is int ourFd && story.Us.Descriptors.ContainsKey(ourFd);
        return new Outcome(reaped, Horizon, reaped is null ? null : recorder.GoneBecause, peer, states, moved, held);
    }

    private static void SetOptions(Host host, int fd, SettingChange change)
    {
        foreach (var (option, value) in change.SocketOptions) host.SetOption(fd, option, value != 0, value);
    }

    // Linux's RTO is about the RTT plus TCP_RTO_MIN (net/ipv4/tcp_input.c:tcp_set_rto, the variance
    // term is at least tcp_rto_min): from an observed RTO without backoff, RTT ≈ RTO − 200 ms.
    private static SimDuration OneWay(ObservedEnd observed)
    {
        if (observed.Rto is not TimeSpan rto) return DefaultOneWay;
        double baseMs = rto.TotalMilliseconds / Math.Pow(2, Math.Min(observed.Retransmits, 16));
        double rttMs = baseMs - 200;
        return rttMs <= 2 ? DefaultOneWay : SimDuration.FromSeconds(Math.Min(rttMs, 60_000) / 2000.0);
    }
}
