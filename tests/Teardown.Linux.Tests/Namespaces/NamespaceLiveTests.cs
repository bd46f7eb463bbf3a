using System.Diagnostics;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Settings;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Namespaces;

/// <summary>Namespace creation, entry, enumeration and per-namespace settings on the real kernel. Needs root.</summary>
public sealed class NamespaceLiveTests
{
    [SkippableFact]
    public void Run_InPrivateNamespace_SeesThatNamespace_AndTheCallerStaysHome()
    {
        Require.RootOrSkip();
        var home = NetNs.OpenCurrent();
        Assert.True(home.IsOk);
        using var homeNs = home.Value;
        using var ns = NetNs.CreatePrivate().Value;

        var inside = NetNs.Run(ns, () => NetNs.OpenCurrent().Value.Inode);

        Assert.Equal(ns.Inode, inside.Value);
        Assert.NotEqual(homeNs.Inode, ns.Inode);
        Assert.Equal(homeNs.Inode, NetNs.OpenCurrent().Value.Inode);
    }

    [SkippableFact]
    public void Sysctls_ArePerNamespace_AndFollowTheCallingThread()
    {
        Require.RootOrSkip();
        using var ns = NetNs.CreatePrivate().Value;
        string? hostValue = SysctlReader.Read("net.ipv4.tcp_fin_timeout");

        var inside = NetNs.Run(ns, () =>
        {
            Assert.Null(SysctlReader.Write("net.ipv4.tcp_fin_timeout", "17"));
            return SysctlReader.ReadNetSettings();
        }).Value;

        Assert.Equal(17, inside.TcpFinTimeout);
        // tcp_max_orphans is a global sysctl, invisible from a child namespace.
        Assert.Equal(["net.ipv4.tcp_max_orphans"], inside.Unreadable);
        Assert.Null(inside.TcpMaxOrphans);
        Assert.NotNull(SysctlReader.ReadNetSettings().TcpMaxOrphans);
        Assert.NotNull(inside.LocalPortLow);
        Assert.Equal(hostValue, SysctlReader.Read("net.ipv4.tcp_fin_timeout"));
    }

    [SkippableFact]
    public void Counters_ReadInsideANamespace_AreThatNamespaces()
    {
        Require.RootOrSkip();
        using var zoo = SocketZoo.Create();
        var records = zoo.DumpSettled();

        var counters = NetNs.Run(zoo.Namespace, NetCounters.Read).Value;

        Assert.Empty(counters.Unreadable);
        // Zoo: ESTABLISHED pair (2) + CLOSE_WAIT (1) + half-closed peer in CLOSE_WAIT (1) + IPv6 pair (2).
        Assert.Equal(6, counters.Mib["Tcp.CurrEstab"]);
        Assert.Equal(records.Count(r => r.Timer == (byte)TimerKind.Timewait), counters.Tcp!.Value.TimeWait);
    }

    [SkippableFact]
    public void Enumerate_FindsHostAndNamedNamespaces_DedupedByInode()
    {
        Require.RootOrSkip();
        string name = "teardown-test-" + Environment.ProcessId;
        RunIp($"netns add {name}");
        try
        {
            using var named = NetNsHandle.Open("/run/netns/" + name).Value;

            var scan = NetNsEnumerator.Enumerate();

            var host = scan.Namespaces[0];
            Assert.Equal(NetNs.OpenCurrent().Value.Inode, host.Inode);
            Assert.NotNull(host.RepresentativePid);
            Assert.True(host.ProcessCount >= 1);
            var found = Assert.Single(scan.Namespaces, n => n.Names.Contains(name));
            Assert.Equal(named.Inode, found.Inode);
            Assert.Null(found.RepresentativePid);
            Assert.Equal("/run/netns/" + name, found.OpenPath);
            Assert.Equal(scan.Namespaces.Count, scan.Namespaces.Select(n => n.Inode).Distinct().Count());

            // Refused processes are counted, and the first few named (e.g. a non-dumpable pid 1 in a sandbox).
            Assert.Equal(Math.Min(5, scan.ProcessesUnreadable), scan.UnreadablePids!.Count);
            Assert.All(scan.UnreadablePids, pid => Assert.True(pid > 0));
        }
        finally
        {
            RunIp($"netns delete {name}");
        }
    }

    [SkippableFact]
    public void Run_WithAHandleThatIsNotANamespace_IsAnErrorValue()
    {
        Require.RootOrSkip();
        var devNull = Linux.Interop.ProcFs.OpenReadOnly("/dev/null");
        using var notANamespace = new NetNsHandle(devNull.Value);

        var result = NetNs.Run(notANamespace, () => 1);

        // kernel/nsproxy.c:setns rejects a file that is neither nsfs nor a pidfd.
        Assert.False(result.IsOk);
        Assert.Equal(Errno.EINVAL, result.Error!.Value.Errno);
    }

    private static void RunIp(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ip {arguments}: {error}");
    }
}
