using System.Text;
using Teardown.Linux.Proc;
using Teardown.Linux.Tests.Support;

namespace Teardown.Linux.Tests.Proc;

public sealed class ProcPidParsersTests
{
    [Fact]
    public void CapturedLimits_GiveNoFileSoftAndHard()
    {
        var limit = ProcPidParsers.ParseNoFileLimit(Fixture.Text("proc_self_limits.txt"));

        Assert.Equal(new FileLimit(20000, 20000), limit);
    }

    [Fact]
    public void Limits_Unlimited_IsNull()
    {
        const string Text = "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            unlimited            unlimited            files     \n";

        Assert.Equal(new FileLimit(null, null), ProcPidParsers.ParseNoFileLimit(Text));
    }

    [Fact]
    public void Limits_WithoutTheRow_IsNull() => Assert.Null(ProcPidParsers.ParseNoFileLimit("Max cpu time unlimited unlimited seconds\n"));

    [Fact]
    public void CapturedCgroup_HybridHierarchy_IsTheV2Path()
    {
        // The capture host mounts v1 controllers (memory:/process_api/...) plus the unified "0::/" line last.
        Assert.Equal("/", ProcPidParsers.ParseCgroupPath(Fixture.Text("proc_self_cgroup.txt")));
    }

    [Fact]
    public void Cgroup_PrefersV2Line_OverV1Controllers()
    {
        const string Text = "12:memory:/docker/abc\n0::/system.slice/docker-abc.scope\n";

        Assert.Equal("/system.slice/docker-abc.scope", ProcPidParsers.ParseCgroupPath(Text));
        Assert.Equal("/docker/abc", ProcPidParsers.ParseCgroupPath("12:memory:/docker/abc\n"));
        Assert.Null(ProcPidParsers.ParseCgroupPath("garbage"));
    }

    [Fact]
    public void Cmdline_FirstArgument_StopsAtNul()
    {
        Assert.Equal("/usr/bin/nginx", ProcPidParsers.FirstCommandLineArgument(Encoding.UTF8.GetBytes("/usr/bin/nginx\0-g\0daemon off;\0")));
        Assert.Equal("", ProcPidParsers.FirstCommandLineArgument([]));
    }
}
