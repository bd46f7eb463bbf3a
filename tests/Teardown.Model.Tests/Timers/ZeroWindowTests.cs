using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Timers;

/// <summary>Zero-window probing while closing (spec §4.1 table, §4.5; tcp_output.c:tcp_write_xmit, tcp_timer.c:tcp_probe_timer).</summary>
public sealed class ZeroWindowTests
{
    [Fact]
    public void ZeroWindow_DataIsHeld_AndThePersistTimerRuns()
    {
        // Given the peer advertises a zero window
        var t = Fixtures.Established();
        t.Inject(t.Ack() with { Window = 0 });

        // When the application writes
        Assert.Equal(100, t.Send(100).Value);

        // Then nothing beyond the window leaves; ss shows `persist` (idiag_timer 4)
        Assert.DoesNotContain(t.TakeSent(), s => s.Length > 0);
        t.ExpectTimer(TimerKind.Probe);
    }

    [Fact]
    public void ZeroWindow_FinHeldBehindIt_OrphanFinWait1ShowsPersist()
    {
        // §4.1: FIN_WAIT1 … probe0 if the FIN is held behind a zero window
        var t = Fixtures.Established();
        t.Inject(t.Ack() with { Window = 0 });
        t.Send(100);
        t.Close();
        Assert.DoesNotContain(t.TakeSent(), s => s.Fin);
        t.ExpectState(TcpState.FinWait1).ExpectTimer(TimerKind.Probe);
    }
}
