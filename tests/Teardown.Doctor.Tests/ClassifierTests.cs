using Teardown.Doctor.Classification;
using Teardown.Doctor.Tests.Support;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

public class ClassifierTests
{
    [Theory]
    [InlineData(KernelTcpState.CloseWait, 11UL, 1U, KernelTimer.None, SocketClass.CloseWaitUnreadEof)]
    [InlineData(KernelTcpState.CloseWait, 11UL, 0U, KernelTimer.None, SocketClass.CloseWaitReadNotClosed)]
    [InlineData(KernelTcpState.CloseWait, 11UL, 101U, KernelTimer.None, SocketClass.CloseWaitUnreadData)]
    [InlineData(KernelTcpState.CloseWait, 0UL, 1U, KernelTimer.None, SocketClass.CloseWaitNeverAccepted)]
    [InlineData(KernelTcpState.FinWait2, 0UL, 0U, KernelTimer.TimeWait, SocketClass.FinWait2Orphaned)]
    [InlineData(KernelTcpState.FinWait2, 0UL, 0U, KernelTimer.Keepalive, SocketClass.FinWait2Orphaned)]
    [InlineData(KernelTcpState.FinWait2, 11UL, 0U, KernelTimer.None, SocketClass.FinWait2HalfClosed)]
    [InlineData(KernelTcpState.FinWait1, 0UL, 0U, KernelTimer.Retransmit, SocketClass.FinWait1Orphaned)]
    [InlineData(KernelTcpState.LastAck, 0UL, 1U, KernelTimer.Retransmit, SocketClass.LastAckOrphaned)]
    [InlineData(KernelTcpState.Closing, 0UL, 1U, KernelTimer.Retransmit, SocketClass.ClosingOrphaned)]
    [InlineData(KernelTcpState.LastAck, 11UL, 0U, KernelTimer.Retransmit, SocketClass.ClosingAttached)]
    [InlineData(KernelTcpState.TimeWait, 0UL, 0U, KernelTimer.TimeWait, SocketClass.TimeWait)]
    [InlineData(KernelTcpState.Established, 11UL, 0U, KernelTimer.None, SocketClass.Established)]
    [InlineData(KernelTcpState.Close, 11UL, 0U, KernelTimer.None, SocketClass.BoundOnly)]
    public void Classify_ReadsStateRecvQInodeAndTimer(KernelTcpState state, ulong inode, uint recvQ, KernelTimer timer, SocketClass expected)
    {
        var s = Socket(state, "127.0.0.1:8080", "127.0.0.1:40000", inode, recvQ, timer);
        Assert.Equal(expected, Classifier.Classify(in s));
    }

    [Fact]
    public void Side_ListeningPortIsServer_EphemeralIsClient_ElseUnknown()
    {
        var listening = ListeningPorts.From([Listen(8080)]);
        var server = Socket(KernelTcpState.CloseWait, "10.0.0.1:8080", "10.0.0.9:40000", 5, 1);
        var client = Socket(KernelTcpState.CloseWait, "10.0.0.1:40001", "10.0.0.5:6379", 6, 1);
        var other = Socket(KernelTcpState.CloseWait, "10.0.0.1:2000", "10.0.0.5:6379", 7, 1);
        Assert.Equal(Side.Server, Classifier.SideOf(in server, listening, 32768, 60999));
        Assert.Equal(Side.Client, Classifier.SideOf(in client, listening, 32768, 60999));
        Assert.Equal(Side.Unknown, Classifier.SideOf(in other, listening, 32768, 60999));
    }

    [Fact]
    public void ListeningPorts_ExactAddressOnlyMatchesThatAddress()
    {
        var listening = ListeningPorts.From([Socket(KernelTcpState.Listen, "127.0.0.1:5432", "0.0.0.0:0", 1)]);
        Assert.True(listening.Contains(Ep("127.0.0.1", 5432)));
        Assert.False(listening.Contains(Ep("10.0.0.1", 5432)));
    }
}
