using Teardown.Doctor.Export;

namespace Teardown.Doctor.Tests.Export;

public sealed class CgroupIdentityTests
{
    private const string Id = "3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566aabb";

    [Theory]
    [InlineData("/system.slice/docker-" + Id + ".scope", "3f4a5b6c7d8e", "")]
    [InlineData("/docker/" + Id, "3f4a5b6c7d8e", "")]
    [InlineData("/machine.slice/libpod-" + Id + ".scope/container", "3f4a5b6c7d8e", "")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1d2e3f40_aaaa_bbbb_cccc_0123456789ab.slice/cri-containerd-" + Id + ".scope",
        "3f4a5b6c7d8e", "1d2e3f40-aaaa-bbbb-cccc-0123456789ab")]
    [InlineData("/kubepods/besteffort/pod1d2e3f40-aaaa-bbbb-cccc-0123456789ab/" + Id, "3f4a5b6c7d8e", "1d2e3f40-aaaa-bbbb-cccc-0123456789ab")]
    public void A_runtime_scope_names_its_container_and_pod(string path, string container, string pod) =>
        Assert.Equal(new CgroupIdentity(container, pod), CgroupIdentity.Parse(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/user.slice/user-0.slice/session-1.scope")]
    [InlineData("/system.slice/nginx.service")]
    public void A_host_path_names_nothing(string? path) => Assert.Equal(CgroupIdentity.None, CgroupIdentity.Parse(path));
}
