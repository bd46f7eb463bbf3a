using System.Net;
using System.Net.Sockets;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Tests.Support;
using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

public class SocketIndexTests
{
    [Fact]
    public void Index_PairsReversedTuples_AndIsIgnoredForAnotherTable()
    {
        var table = new[]
        {
            Listen(8080),
            Socket(TcpState.CloseWait, "127.0.0.1:8080", "127.0.0.1:40000", 5, 1),
            Socket(TcpState.FinWait2, "127.0.0.1:40000", "127.0.0.1:8080", 0, 0, TimerKind.Timewait, 1000),
        };
        var input = Records.Input(table);
        var index = SocketIndex.Build(input.Sockets, input.Settings);
        Assert.Equal(3, index.Peers[1]);
        Assert.Equal(2, index.Peers[2]);
        Assert.Equal(SocketClass.CloseWaitUnreadEof, index.Classes[1]);
        Assert.Equal(Side.Server, index.Sides[1]);
        Assert.Equal(Side.Client, index.Sides[2]);

        // An index of a different table must not be trusted: the analysis rebuilds it.
        var other = Records.Input([Listen(9000), Socket(TcpState.CloseWait, "127.0.0.1:9000", "127.0.0.1:41000", 6, 0)]);
        var report = DoctorAnalysis.Analyze(other, prebuilt: index);
        Assert.Equal(SocketClass.CloseWaitReadNotClosed, Assert.Single(report.Findings).Class);
        Assert.Equal(DoctorAnalysis.Analyze(input).Findings.Length, DoctorAnalysis.Analyze(input, prebuilt: index).Findings.Length);
    }

    [SkippableFact]
    public void ParallelInventory_FindsOwners_WhileIndexingSockets()
    {
        Require.RootOrSkip();
        var ns = NetNs.CreatePrivate();
        Assert.True(ns.IsOk, ns.Error?.ToString());
        using var handle = ns.Value;
        var made = NetNs.Run(handle, () =>
        {
            var listener = new System.Net.Sockets.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 8080));
            listener.Listen(16);
            var client = new System.Net.Sockets.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(new IPEndPoint(IPAddress.Loopback, 8080));
            var server = listener.Accept();
            client.Dispose(); // server end: CLOSE_WAIT owned by this process
            return (listener, server);
        });
        Assert.True(made.IsOk);
        try
        {
            SocketIndex? index = null;
            var snapshot = ParallelInventory.Take(new InventoryOptions { Namespace = handle }, whileScanning: s => index = SocketIndex.Build(s.Sockets, s.Settings));
            Assert.NotNull(index);
            Assert.DoesNotContain(snapshot.BlindSpots, b => b.Kind is BlindSpotKind.OwnersUnavailable or BlindSpotKind.OwnersNotScanned);
            var report = DoctorAnalysis.Analyze(DoctorInput.From(snapshot), prebuilt: index);
            var leak = Assert.Single(report.Findings, f => f.Class == SocketClass.CloseWaitUnreadEof);
            Assert.Equal(Environment.ProcessId, leak.Owner?.Pid);
            Assert.True(snapshot.OwnerStats.FdsScanned > 0);
        }
        finally
        {
            made.Value.server.Dispose();
            made.Value.listener.Dispose();
        }
    }
}
