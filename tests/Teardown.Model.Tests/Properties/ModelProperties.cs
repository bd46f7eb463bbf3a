using CsCheck;
using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Properties;

/// <summary>
/// Whole-model properties over random scripts (style-anchors §3, §6): determinism, no timer on a freed socket,
/// orphans always go away, counters stay sane.
/// </summary>
public sealed class ModelProperties
{
    private const long Iterations = 150;

    [Fact]
    public void SameSeedAndScript_GiveAnIdenticalTrace() =>
        RandomScript.GenScript.Sample(s =>
        {
            var a = RandomScript.Run(s.Seed, s.Ops);
            RandomScript.CloseBothEnds(a, heal: false);
            a.RunSeconds(300);
            var b = RandomScript.Run(s.Seed, s.Ops);
            RandomScript.CloseBothEnds(b, heal: false);
            b.RunSeconds(300);
            return a.Trace.Lines.SequenceEqual(b.Trace.Lines);
        }, iter: Iterations, print: s => $"seed={s.Seed} ops={string.Join(' ', s.Ops)}");

    [Fact]
    public void NoTimerIsLeftArmedOnAFreedSocket_AndNoFreedSocketIsStillHashed() =>
        RandomScript.GenScript.Sample(s =>
        {
            var seen = new HashSet<SocketBase>(ReferenceEqualityComparer.Instance);
            var t = RandomScript.Run(s.Seed, s.Ops, x => Collect(x, seen));
            RandomScript.CloseBothEnds(t, heal: false);
            Collect(t, seen);
            for (int i = 0; i < 20; i++)
            {
                t.RunSeconds(50);
                Collect(t, seen);
                AssertNoStaleSockets(t, seen);
            }
        }, iter: Iterations, print: s => $"seed={s.Seed} ops={string.Join(' ', s.Ops)}");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryOrphanDisappears_WhenBothEndsAreClosed_Within1000s(bool heal) =>
        RandomScript.GenScript.Sample(s =>
        {
            var t = RandomScript.Run(s.Seed, s.Ops);
            RandomScript.CloseBothEnds(t, heal);
            t.RunSeconds(1000);
            foreach (var h in new[] { t.Local, t.Peer })
            {
                Assert.True(!h.KernelSockets.Any(), $"{h.Name} still holds: {string.Join(", ", h.KernelSockets.Select(Describe))}");
                Assert.Equal(0, h.OrphanCount);
                Assert.Equal(0, h.TimewaitCount);
            }
        }, iter: Iterations, print: s => $"seed={s.Seed} ops={string.Join(' ', s.Ops)}");

    [Fact]
    public void CountersNeverGoNegative_AndCurrEstabCountsEstablishedSockets() =>
        RandomScript.GenScript.Sample(s =>
        {
            var t = RandomScript.Run(s.Seed, s.Ops, AssertCounters);
            RandomScript.CloseBothEnds(t, heal: s.Seed % 2 == 0);
            AssertCounters(t);
            t.RunSeconds(1000);
            AssertCounters(t);
        }, iter: Iterations, print: s => $"seed={s.Seed} ops={string.Join(' ', s.Ops)}");

    [Fact]
    public void Crash_LeavesNoTimerArmedOnTheSocketsItFreed()
    {
        // A crash frees every socket at once; their timer slots should be disarmed like any other free.
        var t = Fixtures.FinWait1();
        var sock = t.Sock;
        Assert.True(sock.Timers[0].Armed);
        t.Local.Crash();
        Assert.True(sock.Freed);
        Assert.False(sock.AnyTimerArmed);
    }

    private static void AssertCounters(TcpScript t)
    {
        foreach (var h in new[] { t.Local, t.Peer })
        {
            foreach (Mib m in Enum.GetValues<Mib>())
            {
                if (m != Mib.CurrEstab) Assert.True(h.Counter(m) >= 0, $"{h.Name} {m} = {h.Counter(m)} at {t.Now}");
            }

            // Linux 6.10+ (tcp.c:tcp_set_state): CurrEstab counts ESTABLISHED and CLOSE_WAIT sockets.
            int established = h.KernelSockets.Concat(h.Descriptors.Values).Distinct().OfType<TcpSocket>()
                .Count(s => !s.Freed && s.State is TcpState.Established or TcpState.CloseWait);
            Assert.True(h.Counter(Mib.CurrEstab) == established,
                $"{h.Name} CurrEstab = {h.Counter(Mib.CurrEstab)} but {established} ESTABLISHED or CLOSE_WAIT sockets at {t.Now}");
        }
    }

    private static void Collect(TcpScript t, HashSet<SocketBase> seen)
    {
        foreach (var h in new[] { t.Local, t.Peer })
        {
            foreach (var s in h.KernelSockets) seen.Add(s);
            foreach (var s in h.Descriptors.Values) seen.Add(s);
        }

        seen.Add(t.Sock);
    }

    private static void AssertNoStaleSockets(TcpScript t, HashSet<SocketBase> seen)
    {
        foreach (var s in seen.Where(s => s.Freed))
        {
            Assert.True(!s.AnyTimerArmed, $"freed {Describe(s)} still has an armed timer at {t.Now}");
        }

        foreach (var h in new[] { t.Local, t.Peer })
        {
            Assert.True(!h.KernelSockets.Any(s => s.Freed), $"{h.Name} still hashes a freed socket at {t.Now}");
        }
    }

    private static string Describe(SocketBase s) => s switch
    {
        TimewaitSocket tw => $"timewait {tw.Substate} {tw.Tuple}",
        TcpSocket ts => $"{ts.State} {ts.Tuple}{(ts.IsOrphan ? " orphan" : "")}",
        _ => s.Tuple.ToString(),
    };
}
