using System.Collections.Immutable;
using Teardown.Doctor.Actions;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Input;
using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Netlink;
using Teardown.Linux.Sockets;
using Teardown.Linux.Tests.Support;

namespace Teardown.Remediation.Tests.Support;

/// <summary>The steps of a release or kill run as the commands take them: look, plan, act — against one namespace.</summary>
internal static class Remedy
{
    /// <summary>A fresh look at <paramref name="ns"/> (sockets and owners), analysed and planned with <paramref name="selection"/>.</summary>
    internal static ActionPlan Plan(NetNsHandle ns, ActionSelection selection)
    {
        var snapshot = ParallelInventory.Take(new InventoryOptions { Namespace = ns, Extensions = DoctorInput.NeededExtensions });
        var input = DoctorInput.From(snapshot);
        var report = DoctorAnalysis.Analyze(input);
        return ActionPlanner.Plan(input, report, selection);
    }

    /// <summary>Carries out <paramref name="plan"/> in <paramref name="ns"/> with the kernel's hands.</summary>
    internal static RunSummary Apply(NetNsHandle ns, ActionPlan plan, double rate = 1000, string? ledger = null, CancellationToken cancellation = default, Action<RunProgress>? progress = null) =>
        ActionRunner.RunAsync([new NamespacePlan(ns.Inode, plan)], new KernelHandsFactory(),
            new RunOptions { RatePerSecond = rate, LedgerPath = ledger, Progress = progress }, cancellation).GetAwaiter().GetResult();

    /// <summary>
    /// A CLOSE_WAIT held by a <see cref="Holder"/> process (its peer half-closed), with an ESTABLISHED
    /// pair beside it as a bystander; returns the holder, the peer socket and the held end's endpoints.
    /// </summary>
    internal static (Holder Holder, System.Net.Sockets.Socket Peer, System.Net.IPEndPoint Local, System.Net.IPEndPoint Remote) HeldCloseWait(HandsLab lab, int? uid = null)
    {
        var (holder, peer) = lab.Held(uid);
        _ = lab.Pair();
        peer.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var (local, remote) = ((System.Net.IPEndPoint)peer.RemoteEndPoint!, (System.Net.IPEndPoint)peer.LocalEndPoint!);
        Assert.Equal(TcpState.CloseWait, lab.WaitFor(local, remote, TcpState.CloseWait));
        return (holder, peer, local, remote);
    }

    /// <summary>
    /// Tcp OutRsts of <paramref name="ns"/> (/proc/thread-self/net/snmp read from a thread inside it):
    /// every RST the namespace sent (net/ipv4/tcp_output.c:tcp_send_active_reset and
    /// tcp_ipv4.c:tcp_v4_send_reset count TCP_MIB_OUTRSTS).
    /// </summary>
    internal static long OutRsts(NetNsHandle ns)
    {
        var text = NetNs.Run(ns, () => File.ReadAllLines("/proc/thread-self/net/snmp"));
        Assert.True(text.IsOk, text.Error?.ToString());
        var tcp = text.Value.Where(l => l.StartsWith("Tcp:", StringComparison.Ordinal)).ToList();
        int column = Array.IndexOf(tcp[0].Split(' '), "OutRsts");
        return long.Parse(tcp[1].Split(' ')[column], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every IPv4 TCP socket sock_diag shows: cookie → (state, local, remote, inode).</summary>
    internal static ImmutableDictionary<ulong, Seen> Census(SockDiag diag)
    {
        var all = new List<SocketRecord>();
        var dump = diag.Dump(AddressFamilies.Inet, TcpStateMask.All, DiagExtensions.None, all);
        Assert.True(dump.Error is null, dump.Error?.ToString());
        return all.ToImmutableDictionary(s => s.Cookie, s => new Seen(s.KernelState, s.Local, s.Remote, s.Inode));
    }

    /// <summary>
    /// Asserts that every socket of <paramref name="before"/> outside the acted-on connections (their
    /// two ends) is still there, unchanged: same cookie, state, tuple and inode.
    /// </summary>
    internal static int NoBystanderChanged(ImmutableDictionary<ulong, Seen> before, ImmutableDictionary<ulong, Seen> after, IEnumerable<SocketIdentity> actedOn, Func<Seen, bool>? exempt = null)
    {
        var touched = new HashSet<(InetEndpoint, InetEndpoint)>();
        foreach (var id in actedOn)
        {
            touched.Add((id.Local, id.Remote));
            touched.Add((id.Remote, id.Local));
        }

        int bystanders = 0;
        foreach (var (cookie, seen) in before)
        {
            if (touched.Contains((seen.Local, seen.Remote)) || exempt?.Invoke(seen) == true) continue;
            bystanders++;
            Assert.True(after.TryGetValue(cookie, out var now), $"bystander {seen} vanished");
            Assert.Equal(seen, now);
        }

        Assert.True(bystanders > 0, "the test must have bystanders to protect");
        return bystanders;
    }
}

/// <summary>One socket as the census saw it.</summary>
internal readonly record struct Seen(TcpState State, InetEndpoint Local, InetEndpoint Remote, ulong Inode)
{
    public override string ToString() => $"{State.ToLinuxName()} {Local} -> {Remote} inode {Inode}";
}
