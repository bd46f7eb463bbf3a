using Teardown.Model.Kernel;

namespace Teardown.Model.Tests.Harness;

/// <summary>
/// Puts the end under test into a state through real calls (smoltcp's socket_fin_wait_2() and friends, but
/// driven through the API rather than by poking fields). Each fixture builds on the one before it, ends with
/// the wire cut and a fresh baseline, so a test starts with nothing sent and no counter moved.
/// <paramref name="options"/> runs on the script before the state-changing call (socket options);
/// <paramref name="local"/> / <paramref name="peer"/> set sysctls.
/// </summary>
public static class Fixtures
{
    public static TcpScript Established(Action<KernelSettings>? local = null, Action<KernelSettings>? peer = null, ulong seed = 1) =>
        new TcpScript(local, peer, seed).Connect().Isolate().Baseline();

    /// <summary>SYN sent into a cut wire.</summary>
    public static TcpScript SynSent(Action<KernelSettings>? local = null) =>
        new TcpScript(local).Isolate().StartConnect().Baseline();

    /// <summary>The peer did shutdown(SHUT_WR); its FIN reached Local, which ACKed it. Local is attached.</summary>
    public static TcpScript CloseWait(Action<KernelSettings>? local = null, Action<KernelSettings>? peer = null)
    {
        var t = new TcpScript(local, peer).Connect();
        t.Peer.Shutdown(t.PeerFd, ShutdownFlags.Send);
        return t.Run(10).Isolate().Baseline();
    }

    /// <summary>close() (or SHUT_WR when not <paramref name="orphan"/>) in ESTABLISHED; the FIN is lost.</summary>
    public static TcpScript FinWait1(bool orphan = true, Action<TcpScript>? options = null, Action<KernelSettings>? local = null)
    {
        var t = Established(local);
        options?.Invoke(t);
        if (orphan) t.Close();
        else t.Shutdown(ShutdownFlags.Send);
        return t.Baseline();
    }

    /// <summary>SHUT_WR, then the peer ACKs our FIN: attached FIN_WAIT2, no timer (spec §6.1.14).</summary>
    public static TcpScript FinWait2Attached(Action<KernelSettings>? local = null)
    {
        var t = FinWait1(orphan: false, local: local);
        return t.Inject(t.Ack()).Baseline();
    }

    /// <summary>
    /// close(), then the peer ACKs our FIN (spec §4.2 entry B). With TCP_LINGER2 over 60 s this is a full
    /// socket on the keepalive timer; otherwise a timewait socket in substate FIN_WAIT2.
    /// </summary>
    public static TcpScript FinWait2Orphan(int linger2 = 0, Action<KernelSettings>? local = null)
    {
        var t = FinWait1(orphan: true, options: s => s.Local.SetLinger2(s.Fd, linger2), local: local);
        return t.Inject(t.Ack()).Baseline();
    }

    /// <summary>Our FIN is out and unacknowledged when the peer's FIN (not ACKing ours) arrives.</summary>
    public static TcpScript Closing(bool orphan = true)
    {
        var t = FinWait1(orphan);
        return t.Inject(t.Fin(ack: -1)).Baseline();
    }

    /// <summary>In CLOSE_WAIT, close() (or SHUT_WR) sends our FIN into the cut wire.</summary>
    public static TcpScript LastAck(bool orphan = true, Action<TcpScript>? options = null)
    {
        var t = CloseWait();
        options?.Invoke(t);
        if (orphan) t.Close();
        else t.Shutdown(ShutdownFlags.Send);
        return t.Baseline();
    }

    /// <summary>Attached FIN_WAIT2 receives the peer's FIN: a timewait socket in TIME_WAIT.</summary>
    public static TcpScript TimeWait(Action<KernelSettings>? local = null)
    {
        var t = FinWait2Attached(local);
        return t.Inject(t.Fin()).Baseline();
    }
}
