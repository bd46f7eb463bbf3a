using Teardown.Doctor.Classification;
using Teardown.Doctor.Tests.Support;
using Teardown.Linux.Sockets;
using static Teardown.Doctor.Tests.Support.Records;

namespace Teardown.Doctor.Tests;

public class ClassifierTests
{
    [Theory]
    [InlineData(TcpState.CloseWait, 11UL, 1U, TimerKind.None, SocketClass.CloseWaitUnreadEof)]
    [InlineData(TcpState.CloseWait, 11UL, 0U, TimerKind.None, SocketClass.CloseWaitReadNotClosed)]
    [InlineData(TcpState.CloseWait, 11UL, 101U, TimerKind.None, SocketClass.CloseWaitUnreadData)]
    [InlineData(TcpState.CloseWait, 0UL, 1U, TimerKind.None, SocketClass.CloseWaitNeverAccepted)]
    [InlineData(TcpState.FinWait2, 0UL, 0U, TimerKind.Timewait, SocketClass.FinWait2Orphaned)]
    [InlineData(TcpState.FinWait2, 0UL, 0U, TimerKind.Keepalive, SocketClass.FinWait2Orphaned)]
    [InlineData(TcpState.FinWait2, 11UL, 0U, TimerKind.None, SocketClass.FinWait2HalfClosed)]
    [InlineData(TcpState.FinWait1, 0UL, 0U, TimerKind.Retransmit, SocketClass.FinWait1Orphaned)]
    [InlineData(TcpState.LastAck, 0UL, 1U, TimerKind.Retransmit, SocketClass.LastAckOrphaned)]
    [InlineData(TcpState.Closing, 0UL, 1U, TimerKind.Retransmit, SocketClass.ClosingOrphaned)]
    [InlineData(TcpState.LastAck, 11UL, 0U, TimerKind.Retransmit, SocketClass.ClosingAttached)]
    [InlineData(TcpState.TimeWait, 0UL, 0U, TimerKind.Timewait, SocketClass.TimeWait)]
    [InlineData(TcpState.Established, 11UL, 0U, TimerKind.None, SocketClass.Established)]
    [InlineData(TcpState.Close, 11UL, 0U, TimerKind.None, SocketClass.BoundOnly)]
    public void Classify_ReadsStateRecvQInodeAndTimer(TcpState state, ulong inode, uint recvQ, TimerKind timer, SocketClass expected)
    {
        var s = Socket(state, "127.0.0.1:8080", "127.0.0.1:40000", inode, recvQ, timer);
        Assert.Equal(expected, Classifier.Classify(in s));
    }

    [Fact]
    public void Side_ListeningPortIsServer_EphemeralIsClient_ElseUnknown()
    {
        var listening = ListeningPorts.From([Listen(8080)]);
        var server = Socket(TcpState.CloseWait, "10.0.0.1:8080", "10.0.0.9:40000", 5, 1);
        var client = Socket(TcpState.CloseWait, "10.0.0.1:40001", "10.0.0.5:6379", 6, 1);
        var other = Socket(TcpState.CloseWait, "10.0.0.1:2000", "10.0.0.5:6379", 7, 1);
        Assert.Equal(Side.Server, Classifier.SideOf(in server, listening, 32768, 60999));
        Assert.Equal(Side.Client, Classifier.SideOf(in client, listening, 32768, 60999));
        Assert.Equal(Side.Unknown, Classifier.SideOf(in other, listening, 32768, 60999));
    }

    [Fact]
    public void ListeningPorts_ExactAddressOnlyMatchesThatAddress()
    {
        var listening = ListeningPorts.From([Socket(TcpState.Listen, "127.0.0.1:5432", "0.0.0.0:0", 1)]);
        Assert.True(listening.Contains(Ep("127.0.0.1", 5432)));
        Assert.False(listening.Contains(Ep("10.0.0.1", 5432)));
    }
}
