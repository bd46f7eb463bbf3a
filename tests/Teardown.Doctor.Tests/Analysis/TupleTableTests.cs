using Teardown.Doctor.Analysis;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests.Analysis;

/// <summary>Pairing both ends of a connection: exact IPv4 keys in the table, IPv6 confirmed against the socket, mapped addresses unmapped.</summary>
public sealed class TupleTableTests
{
    private static SocketRecord Tcp(string local, int localPort, string remote, int remotePort) => new()
    {
        State = (byte)TcpState.Established,
        Local = Ep(local, localPort),
        Remote = Ep(remote, remotePort),
    };

    private static int[] Peers(SocketRecord[] sockets)
    {
        var table = new TupleTable(sockets.Length);
        for (int i = 0; i < sockets.Length; i++) table.TryAdd(sockets, i);
        return [.. sockets.Select(s => table.Find(sockets, s.Remote, s.Local))];
    }

    [Fact]
    public void Both_ends_pair_in_IPv4_IPv6_and_across_a_mapped_address()
    {
        var sockets = new[]
        {
            Tcp("10.0.0.1", 8080, "10.0.0.2", 40000),                     // 0 ↔ 1
            Tcp("10.0.0.2", 40000, "10.0.0.1", 8080),
            Tcp("fd00::1", 443, "fd00::2", 50000),                        // 2 ↔ 3
            Tcp("fd00::2", 50000, "fd00::1", 443),
            Tcp("::ffff:127.0.0.1", 9000, "::ffff:127.0.0.1", 41000),      // 4 (dual-stack server) ↔ 5 (IPv4 client)
            Tcp("127.0.0.1", 41000, "127.0.0.1", 9000),
            Tcp("10.0.0.1", 8080, "10.0.0.3", 40000),                     // 6: its other end is elsewhere
            Tcp("fd00::1", 443, "fd00::3", 50000),                        // 7: likewise, IPv6
        };

        Assert.Equal([1, 0, 3, 2, 5, 4, -1, -1], Peers(sockets));
    }

    [Fact]
    public void Ports_and_addresses_are_not_confused_and_the_first_of_a_duplicate_tuple_wins()
    {
        var sockets = new[]
        {
            Tcp("10.0.0.1", 1, "10.0.0.2", 2),
            Tcp("10.0.0.1", 2, "10.0.0.2", 1),   // ports swapped: not the other end of 0
            Tcp("10.0.0.2", 1, "10.0.0.1", 2),   // the other end of 1
            Tcp("10.0.0.1", 1, "10.0.0.2", 2),   // same tuple as 0 (another namespace's view): 0 stays the entry
        };

        var peers = Peers(sockets);
        Assert.Equal(-1, peers[0]);
        Assert.Equal(2, peers[1]);
        Assert.Equal(1, peers[2]);

        var table = new TupleTable(sockets.Length);
        for (int i = 0; i < sockets.Length; i++) table.TryAdd(sockets, i);
        Assert.Equal(0, table.Find(sockets, Ep("10.0.0.1", 1), Ep("10.0.0.2", 2)));
    }

    [Fact]
    public void A_crowded_table_still_finds_every_pair()
    {
        var sockets = new List<SocketRecord>();
        for (int i = 0; i < 5000; i++)
        {
            sockets.Add(Tcp("10.0.0.1", 8080, "10.0.0.2", 10000 + i));
            sockets.Add(Tcp("10.0.0.2", 10000 + i, "10.0.0.1", 8080));
        }

        var peers = Peers([.. sockets]);
        for (int i = 0; i < peers.Length; i++) Assert.Equal(i ^ 1, peers[i]);
    }
}
