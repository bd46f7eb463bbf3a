using Teardown.Doctor.Analysis;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

public class TablesTests
{
    [Fact]
    public void TupleTable_FindsReversedTuples_FirstDuplicateWins_MissesAreMinusOne()
    {
        var sockets = Enumerable.Range(0, 5000)
            .Select(i => Socket(TcpState.Established, $"127.0.0.{1 + (i % 3)}:{10000 + i}", "127.0.0.9:80", (ulong)i + 1))
            .Append(Socket(TcpState.Established, "127.0.0.1:10000", "127.0.0.9:80", 99999)) // same tuple as #0
            .ToArray();
        var table = new TupleTable(sockets.Length);
        for (int i = 0; i < sockets.Length; i++) table.TryAdd(sockets, i);
        for (int i = 0; i < 5000; i++)
        {
            Assert.Equal(i, table.Find(sockets, sockets[i].Local, sockets[i].Remote));
        }

        Assert.Equal(-1, table.Find(sockets, Ep("127.0.0.9", 80), Ep("127.0.0.1", 10000)));
        Assert.Equal(-1, table.Find(sockets, Ep("127.0.0.4", 10000), Ep("127.0.0.9", 80)));
    }

    [Fact]
    public void StructMap_GrowsAndKeepsEveryValue()
    {
        var map = new StructMap<InetEndpoint, int>(4);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 3000; i++)
            {
                map.GetOrAdd(Ep("10.0.0.1", i))++;
            }
        }

        Assert.Equal(3000, map.Count);
        Assert.All(map.Entries(), e => Assert.Equal(3, e.Value));
        Assert.Equal(Enumerable.Range(0, 3000), map.Entries().Select(e => (int)e.Key.Port).Order());
    }
}
