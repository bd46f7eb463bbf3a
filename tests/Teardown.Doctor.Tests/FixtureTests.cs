using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Tests;

/// <summary>The analysis on a sock_diag dump captured from a real 6.18 kernel (Teardown.Linux.Tests fixtures).</summary>
public class FixtureTests
{
    private static List<SocketRecord> Dump(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernel-6.18", name));
        var records = new List<SocketRecord>();
        InetDiagParser.Parse(bytes, null, records);
        return records;
    }

    [Theory]
    [InlineData("inet_diag_v4.bin")]
    [InlineData("inet_diag_v6.bin")]
    public void CapturedDump_ClassifiesEveryStuckKind(string file)
    {
        var records = Dump(file);
        Assert.NotEmpty(records);
        var classes = records.Where(r => r.KernelState != TcpState.Listen).Select(r => Classifier.Classify(in r)).ToList();
        Assert.Contains(SocketClass.CloseWaitUnreadEof, classes);
        Assert.Contains(SocketClass.FinWait2Orphaned, classes);
        Assert.Contains(SocketClass.FinWait2HalfClosed, classes);
        Assert.Contains(SocketClass.TimeWait, classes);
        Assert.Contains(SocketClass.Established, classes);

        var report = DoctorAnalysis.Analyze(Support.Records.Input(records));
        // The capture's server CLOSE_WAIT pairs with the client's orphaned FIN_WAIT2 (manifest: v4-close-wait / v4-orphan-fin-wait2).
        var cw = report.Findings.First(f => f.Class == SocketClass.CloseWaitUnreadEof && f.PeerClass == SocketClass.FinWait2Orphaned);
        Assert.Equal(Side.Server, cw.Side);
        var half = report.Findings.Single(f => f.Class == SocketClass.FinWait2HalfClosed);
        Assert.Equal(Side.Client, half.Side);
        Assert.Equal(SocketClass.CloseWaitUnreadEof, half.PeerClass);
        Assert.True(half.Reap.Never);
        var orphan = report.Findings.Single(f => f.Class == SocketClass.FinWait2Orphaned);
        Assert.InRange(orphan.Reap.Latest!.Value.TotalSeconds, 0.001, 62.1); // 60 s plus the timer wheel's slack
    }
}

public class MappedPairingTests
{
    [Fact]
    public void CapturedDumps_V4ClientPairsWithItsDualStackServer()
    {
        var records = new List<Teardown.Linux.Sockets.SocketRecord>();
        foreach (var name in new[] { "inet_diag_v4.bin", "inet_diag_v6.bin" })
        {
            InetDiagParser.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernel-6.18", name)), null, records);
        }

        var input = Support.Records.Input(records);
        var index = SocketIndex.Build(input.Sockets, input.Settings);
        // manifest "v6-mapped-server": an AF_INET6 ESTABLISHED socket with ::ffff:127.0.0.1 addresses.
        int mapped = records.FindIndex(r => r.Family == AddressFamilies.Inet6 && r.KernelState == TcpState.Established
            && r.Local.Address.ToString().StartsWith("::ffff:", StringComparison.Ordinal));
        Assert.True(mapped >= 0, "the capture has a v4-mapped server socket");
        int peer = index.Peers[mapped] - 1;
        Assert.True(peer >= 0, "paired");
        Assert.Equal(AddressFamilies.Inet, records[peer].Family);
        Assert.Equal(records[mapped].Local.Port, records[peer].Remote.Port);
    }
}
