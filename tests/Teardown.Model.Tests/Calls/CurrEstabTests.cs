using Teardown.Model.Kernel;
using Teardown.Model.Tests.Harness;

namespace Teardown.Model.Tests.Calls;

/// <summary>
/// The Tcp CurrEstab gauge. Spec §3.3 says "decremented when leaving ESTABLISHED" (read from tcp.c ~v6.1). Linux
/// 6.10+ (Jason Xing, "tcp: count CLOSE-WAIT sockets for TCP_MIB_CURRESTAB", stable-backported) keeps counting a
/// connection in CLOSE_WAIT, as RFC 1213 tcpCurrEstab defines: ESTABLISHED or CLOSE-WAIT. The reference kernel
/// is 6.18, so this test expects the 6.10+ rule. See DIVERGENCES.md (spec gap).
/// </summary>
public sealed class CurrEstabTests
{
    [Fact]
    public void CurrEstab_StillCountsAConnectionInCloseWait_AsLinux610AndLaterDo()
    {
        var t = Fixtures.CloseWait();
        Assert.Equal(1, t.Local.Counter(Mib.CurrEstab));

        t.Close();

        Assert.Equal(0, t.Local.Counter(Mib.CurrEstab));
    }
}
