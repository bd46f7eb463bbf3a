using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Linux.Owners;
using Teardown.Linux.Sockets;
using Teardown.Doctor.Tests.Support;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

/// <summary>What the doctor says about a peer it cannot see is qualified; what it saw on this host is stated.</summary>
public sealed class PeerClaimTests
{
    [Fact]
    public void Keepalive_advice_states_the_peer_answers_only_when_the_peer_was_seen_on_this_host()
    {
        var local = new List<SocketRecord> { Listen(8080) };
        var remote = new List<SocketRecord> { Listen(8080) };
        var owners = new Dictionary<ulong, SocketOwner>();
        for (int i = 0; i < 3; i++)
        {
            local.Add(Socket(TcpState.CloseWait, "127.0.0.1:8080", $"127.0.0.1:{40000 + i}", 100 + (ulong)i, 1));
            local.Add(Socket(TcpState.FinWait2, $"127.0.0.1:{40000 + i}", "127.0.0.1:8080", 0, 0, TimerKind.Timewait, 30_000));
            remote.Add(Socket(TcpState.CloseWait, "10.0.0.1:8080", $"10.0.0.9:{40000 + i}", 100 + (ulong)i, 1));
            owners[100 + (ulong)i] = new SocketOwner(42, 10 + i);
        }

        string Advice(List<SocketRecord> table) => string.Join('\n',
            DoctorAnalysis.Analyze(Records.Input(table, owners, [Process(42, "api", 20, 1024)])).Findings.Single(f => f.Class == SocketClass.CloseWaitUnreadEof).Fix);

        Assert.Contains("the peer (on this host) is alive and answers the probes", Advice(local), StringComparison.Ordinal);
        string qualified = Advice(remote);
        Assert.Contains("helps only if the peer host is gone or unreachable", qualified, StringComparison.Ordinal);
        Assert.DoesNotContain("the peer (on this host)", qualified, StringComparison.Ordinal);
    }
}
