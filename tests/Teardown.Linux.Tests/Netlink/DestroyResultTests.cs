using Teardown.Linux.Interop;
using Teardown.Linux.Netlink;

namespace Teardown.Linux.Tests.Netlink;

public sealed class DestroyResultTests
{
    [Theory]
    [InlineData(Errno.None, DestroyStatus.Destroyed)]
    [InlineData(Errno.ENOENT, DestroyStatus.Gone)]
    [InlineData(Errno.EPERM, DestroyStatus.PermissionDenied)]
    [InlineData(Errno.EACCES, DestroyStatus.PermissionDenied)]
    [InlineData(Errno.EOPNOTSUPP, DestroyStatus.NotSupported)]
    [InlineData(Errno.EINVAL, DestroyStatus.Failed)]
    public void KernelErrno_MapsToOutcome_KeepingTheErrno(Errno errno, DestroyStatus expected)
    {
        var result = DestroyResult.FromErrno(errno);

        Assert.Equal(expected, result.Status);
        Assert.Equal(errno == Errno.None ? null : errno, result.Error?.Errno);
    }
}
