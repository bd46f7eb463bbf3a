using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Teardown.Lab.Wire;
using Teardown.Model;

namespace Teardown.Lab.Tests;

public sealed class WireTests
{
    private sealed class FakePort : IWirePort
    {
        public ConcurrentQueue<(long Ns, byte[] Packet)> Received { get; } = new();

        public void Deliver(ReadOnlySpan<byte> packet) => Received.Enqueue((MonotonicClock.NowNs(), packet.ToArray()));
    }

    private static byte[] AtoB(uint seq) => Packets.Tcp("192.0.2.1", 1000, "192.0.2.2", 80, seq, 0, TcpFlags.Ack);

    private static byte[] BtoA(uint seq) => Packets.Tcp("192.0.2.2", 80, "192.0.2.1", 1000, seq, 0, TcpFlags.Ack);

    private static (UserspaceWire Wire, FakePort A, FakePort B) Two()
    {
        var wire = new UserspaceWire();
        var a = new FakePort();
        var b = new FakePort();
        wire.Attach("a", IPAddress.Parse("192.0.2.1"), a);
        wire.Attach("b", IPAddress.Parse("192.0.2.2"), b);
        return (wire, a, b);
    }

    private static async Task Until(Func<bool> cond)
    {
        var sw = Stopwatch.StartNew();
        while (!cond() && sw.ElapsedMilliseconds < 3000) await Task.Delay(5);
    }

    [Fact]
    public void ZeroDelay_DeliversAtOnce_AndRecordsThePacket()
    {
        (UserspaceWire wire, _, FakePort b) = Two();
        using (wire)
        {
            wire.Ingress("a", AtoB(1));
            Assert.Single(b.Received);
            WirePacket p = Assert.Single(wire.Captured);
            Assert.Equal("a", p.From);
            Assert.Equal("b", p.To);
            Assert.False(p.Dropped);
            Assert.Equal(1u, p.Segment!.Seq);
            Assert.True(p.DeliveredNs >= p.TimestampNs);
        }
    }

    [Fact]
    public async Task Delay_HoldsPacketsForTheDelay_AndKeepsTheirOrder()
    {
        (UserspaceWire wire, FakePort a, FakePort b) = Two();
        using (wire)
        {
            wire.SetDelay("a", "b", TimeSpan.FromMilliseconds(60));
            long t0 = MonotonicClock.NowNs();
            for (uint i = 0; i < 5; i++) wire.Ingress("a", AtoB(i));
            wire.Ingress("b", BtoA(9)); // the other direction has no delay
            Assert.Single(a.Received);
            Assert.Empty(b.Received);
            await Until(() => b.Received.Count == 5);
            Assert.Equal([0u, 1u, 2u, 3u, 4u], b.Received.Select(r => PacketParser.TryParse(r.Packet)!.Seq).ToArray());
            long first = b.Received.First().Ns - t0;
            Assert.InRange(first / 1_000_000.0, 59, 200);
        }
    }

    [Fact]
    public void Drop_IsPerDirection_AndDroppedPacketsAreStillRecorded()
    {
        (UserspaceWire wire, FakePort a, FakePort b) = Two();
        using (wire)
        {
            wire.SetDrop("a", "b", true);
            wire.Ingress("a", AtoB(1));
            wire.Ingress("b", BtoA(2));
            Assert.Empty(b.Received);
            Assert.Single(a.Received);
            Assert.Equal([true, false], wire.Captured.Select(p => p.Dropped).ToArray());
            wire.SetDrop("a", "b", false);
            wire.Ingress("a", AtoB(3));
            Assert.Single(b.Received);
        }
    }

    [Fact]
    public async Task Crash_SenderIsSilent_PacketsToItAndInFlightAreDropped()
    {
        (UserspaceWire wire, FakePort a, FakePort b) = Two();
        using (wire)
        {
            wire.SetDelay("a", "b", TimeSpan.FromMilliseconds(50));
            wire.Ingress("a", AtoB(1)); // in flight when b crashes
            wire.Detach("b");
            wire.Ingress("b", BtoA(2)); // a crashed host sends nothing
            wire.Ingress("a", AtoB(3)); // to a crashed host: sent, dropped
            await Task.Delay(120);
            Assert.Empty(b.Received);
            Assert.Empty(a.Received);
            Assert.Equal(2, wire.Captured.Count);
            Assert.All(wire.Captured, p => Assert.True(p.Dropped));
            Assert.DoesNotContain(wire.Captured, p => p.From == "b");
        }
    }

    [Fact]
    public void Reboot_TheCrashedBootIsSilent_TheNewBootIsTheHost()
    {
        (UserspaceWire wire, FakePort a, _) = Two();
        using (wire)
        {
            var rebooted = new FakePort();
            wire.Detach("b");
            wire.Attach("b", IPAddress.Parse("192.0.2.2"), rebooted, generation: 1);
            wire.Ingress("b", BtoA(1), generation: 0); // the crashed boot's SOCK_DESTROY resets, still being torn down
            wire.RecordLoopback("b", Packets.Tcp("192.0.2.2", 1, "192.0.2.2", 2, 0, 0, TcpFlags.Rst), generation: 0);
            wire.Ingress("b", BtoA(2), generation: 1);
            wire.Ingress("a", AtoB(3));

            Assert.Equal([2u], a.Received.Select(p => PacketParser.TryParse(p.Packet)!.Seq));
            Assert.Equal([3u], rebooted.Received.Select(p => PacketParser.TryParse(p.Packet)!.Seq));
            Assert.Equal(2, wire.Captured.Count);
        }
    }

    [Fact]
    public void UnknownDestination_IsDropped_NonIpv4IsIgnored()
    {
        (UserspaceWire wire, _, _) = Two();
        using (wire)
        {
            wire.Ingress("a", Packets.Tcp("192.0.2.1", 1, "198.51.100.7", 2, 0, 0, TcpFlags.Syn));
            byte[] v6 = new byte[40];
            v6[0] = 0x60;
            wire.Ingress("a", v6);
            WirePacket p = Assert.Single(wire.Captured);
            Assert.True(p.Dropped);
            Assert.Null(p.To);
        }
    }
}
