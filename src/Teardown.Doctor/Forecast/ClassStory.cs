using Teardown.Doctor.Classification;
using Teardown.Model;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;

namespace Teardown.Doctor.Forecast;

/// <summary>
/// A model world where one connection end reaches a doctor class the way it does on real hosts: two
/// hosts ("us" and "peer"), a connection, then the calls and network events of the class's mechanism —
/// the same story <c>teardown doctor --scenario</c> writes as a .scn file, played here through the
/// model's API. Our end is the socket the finding is about.
/// </summary>
internal sealed class ClassStory
{
    private const int Port = 8080;
    internal static readonly uint UsAddress = Addr.Parse("192.0.2.1");
    internal static readonly uint PeerAddress = Addr.Parse("192.0.2.2");

    private ClassStory(Simulator sim, Host us, Host peer, ForecastRecorder recorder)
    {
        Sim = sim;
        Us = us;
        Peer = peer;
        Recorder = recorder;
    }

    internal Simulator Sim { get; }

    internal Host Us { get; }

    internal Host Peer { get; }

    internal ForecastRecorder Recorder { get; }

    /// <summary>Our end's descriptor while the application holds it, else null (orphans, never accepted).</summary>
    internal int? OurFd { get; private set; }

    /// <summary>When our end entered the class's state.</summary>
    internal SimTime Entered { get; private set; }

    /// <summary>When the call that leads to the class was made (our close or shutdown, the peer's close).</summary>
    internal SimTime Triggered { get; private set; }

    /// <summary>The classes a story exists for.</summary>
    internal static bool Supports(SocketClass c) => c is SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitReadNotClosed
        or SocketClass.CloseWaitUnreadData or SocketClass.CloseWaitNeverAccepted or SocketClass.FinWait2Orphaned
        or SocketClass.FinWait2HalfClosed or SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned or SocketClass.ClosingOrphaned
        or SocketClass.TimeWait;

    /// <summary>The state the class's story ends in.</summary>
    internal static TcpState TargetState(SocketClass c) => c switch
    {
        SocketClass.FinWait2Orphaned or SocketClass.FinWait2HalfClosed => TcpState.FinWait2,
        SocketClass.FinWait1Orphaned => TcpState.FinWait1,
        SocketClass.LastAckOrphaned => TcpState.LastAck,
        SocketClass.ClosingOrphaned => TcpState.Closing,
        SocketClass.TimeWait => TcpState.TimeWait,
        _ => TcpState.CloseWait,
    };

    /// <summary>
    /// Builds the world and plays the story until our end is in the class's state.
    /// <paramref name="beforeClose"/> runs on our held descriptor before the call that makes it (socket
    /// options of the application); <paramref name="keepalive"/> turns SO_KEEPALIVE on from the start.
    /// </summary>
    internal static ClassStory Play(ObservedEnd observed, KernelSettings ours, KernelSettings peers, SimDuration oneWay,
        Action<Host, int>? beforeClose = null, bool keepalive = false, bool stopAtTrigger = false, ulong seed = 1)
    {
        var recorder = new ForecastRecorder();
        // A live host's jiffies are unknown: forecast from exact deadlines, the earliest the kernel runs a timer.
        var sim = new Simulator(new DeterministicRandom(seed), recorder) { ExactTimers = true };
        var us = sim.AddHost("us", UsAddress, ours);
        var peer = sim.AddHost("peer", PeerAddress, peers);
        sim.Network.SetDelay(UsAddress, PeerAddress, oneWay);
        recorder.Us = us;
        var story = new ClassStory(sim, us, peer, recorder);
        story.Run(observed.Class, observed.Side != Side.Client, beforeClose, keepalive, stopAtTrigger);
        return story;
    }

    private void Run(SocketClass c, bool weServe, Action<Host, int>? beforeClose, bool keepalive, bool stopAtTrigger)
    {
        Host server = weServe ? Us : Peer, client = weServe ? Peer : Us;
        int listener = (int)server.Listen(Port).Value;
        client.Connect(server.Address, Port, out int clientFd);
        At(0.01);
        int serverFd = c == SocketClass.CloseWaitNeverAccepted ? -1 : (int)server.Accept(listener).Value;
        int ourFd = weServe ? serverFd : clientFd;
        int theirFd = weServe ? clientFd : serverFd;

        // A connection never accepted has no descriptor on our side: its tuple is the client's, reversed.
        Recorder.Ours = ourFd >= 0 ? Us.TupleOf(ourFd) : client.TupleOf(clientFd)?.Reversed;
        if (ourFd >= 0)
        {
            OurFd = ourFd;
            if (keepalive) Us.SetKeepalive(ourFd, true);
            beforeClose?.Invoke(Us, ourFd);
        }

        double t = 0.1;
        switch (c)
        {
            case SocketClass.CloseWaitUnreadEof or SocketClass.CloseWaitNeverAccepted:
                Trigger();
                Peer.Close(theirFd);
                break;
            case SocketClass.CloseWaitReadNotClosed:
                Trigger();
                Peer.Close(theirFd);
                At(t += 0.1);
                Us.Recv(ourFd, 100);
                break;
            case SocketClass.CloseWaitUnreadData:
                Peer.Send(theirFd, 100);
                At(t += 0.01);
                Trigger();
                Peer.Close(theirFd);
                break;
            case SocketClass.FinWait2Orphaned:
                CloseOurs(ourFd);
                break;
            case SocketClass.FinWait2HalfClosed:
                Trigger();
                Us.Shutdown(ourFd, ShutdownFlags.Send);
                break;
            case SocketClass.FinWait1Orphaned:
                // The peer becomes unreachable (both directions lost), then we send and close.
                Unreachable();
                Us.Send(ourFd, 100);
                At(t += 0.01);
                CloseOurs(ourFd);
                break;
            case SocketClass.LastAckOrphaned:
                Peer.Close(theirFd);
                At(t += 0.1);
                Unreachable();
                CloseOurs(ourFd);
                break;
            case SocketClass.ClosingOrphaned:
                // Simultaneous close where nothing of ours reaches the peer: our FIN is lost, the peer's FIN
                // arrives while ours is unacknowledged (tcp_input.c:tcp_fin, FIN_WAIT1 → CLOSING).
                Sim.Network.SetDropping(UsAddress, PeerAddress, true);
                CloseOurs(ourFd);
                At(t += 0.01);
                Peer.Close(theirFd);
                break;
            case SocketClass.TimeWait:
                CloseOurs(ourFd);
                At(t += 0.01);
                Peer.Close(theirFd);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c, "no story for this class");
        }

        if (stopAtTrigger) return;

        // Until our end is in the class's state (a few round trips at most).
        var target = TargetState(c);
        var limit = Sim.Now + SimDuration.FromSeconds(10);
        while (Recorder.Entered(target) is null && Sim.NextEventTime <= limit && Sim.Step())
        {
        }

        Entered = Recorder.Entered(target) ?? Sim.Now;
        if (Sim.Now < Entered) Sim.RunUntil(Entered);
    }

    // Our application's close(): the trigger of the orphan classes; the descriptor is gone from then on.
    private void CloseOurs(int fd)
    {
        Trigger();
        Us.Close(fd);
        OurFd = null;
    }

    // From here on, what our host sends counts as what the peer sees (for a run from the trigger).
    private void Trigger()
    {
        Triggered = Sim.Now;
        Recorder.Mark = Sim.Now;
    }

    private void Unreachable()
    {
        Sim.Network.SetDropping(UsAddress, PeerAddress, true);
        Sim.Network.SetDropping(PeerAddress, UsAddress, true);
    }

    private void At(double seconds) => Sim.RunUntil(SimTime.FromSeconds(seconds));
}
