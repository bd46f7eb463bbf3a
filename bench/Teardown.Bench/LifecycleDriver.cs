using Teardown.Model;
using Teardown.Model.Kernel;
using Teardown.Model.Simulation;

namespace Teardown.Bench;

/// <summary>
/// Drives complete connection lifecycles through the model, with no observer (as a what-if engine runs it):
/// three-way handshake, 1 KB each way, the client closes (FIN_WAIT1 → FIN_WAIT2 as a timewait socket), the
/// server reads EOF and closes (LAST_ACK), the client's end turns TIME_WAIT, and its 60 s timer expires.
/// Lifecycles overlap in virtual time exactly as on a busy host: a new one starts every 10 ms while
/// earlier ones sit in TIME_WAIT.
/// </summary>
public sealed class LifecycleDriver
{
    private static readonly SimDuration Step = SimDuration.FromMilliseconds(10);
    private readonly Simulator _sim;
    private readonly Host _client;
    private readonly Host _server;
    private readonly int _listener;

    public LifecycleDriver(ulong seed = 42)
    {
        _sim = new Simulator(new DeterministicRandom(seed));
        _client = _sim.AddHost("client", Addr.Parse("192.0.2.1"));
        _server = _sim.AddHost("server", Addr.Parse("192.0.2.2"));
        _listener = (int)_server.Listen(80, 4096).Value;
    }

    public Simulator Simulator => _sim;

    /// <summary>Runs <paramref name="count"/> lifecycles and then lets every TIME_WAIT expire.</summary>
    public void Run(int count)
    {
        for (int i = 0; i < count; i++) RunOne();
        _sim.RunUntil(_sim.Now + SimDuration.FromSeconds(61));
    }

    private void RunOne()
    {
        _client.Connect(_server.Address, 80, out int cfd);
        _sim.RunUntil(_sim.Now);                       // handshake (zero-delay link)
        int sfd = (int)_server.Accept(_listener).Value;
        _client.Send(cfd, 1024);
        _server.Send(sfd, 1024);
        _sim.RunUntil(_sim.Now);
        _client.Recv(cfd, 4096);
        _server.Recv(sfd, 4096);
        _client.Close(cfd);                            // FIN: FIN_WAIT1, then FIN_WAIT2 once ACKed
        _sim.RunUntil(_sim.Now + Step);                // the server's delayed ACK of the FIN
        _server.Recv(sfd, 4096);                       // end of stream
        _server.Close(sfd);                            // LAST_ACK; the client's end turns TIME_WAIT
        _sim.RunUntil(_sim.Now + Step);
    }
}
