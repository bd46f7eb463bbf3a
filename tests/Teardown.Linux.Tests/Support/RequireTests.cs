namespace Teardown.Linux.Tests.Support;

public sealed class RequireTests
{
    [Theory]
    [InlineData(true, false, "Run")]
    [InlineData(true, true, "Run")]
    [InlineData(false, false, "Skip")]
    [InlineData(false, true, "Fail")]
    public void KernelTests_SkipOnlyOutsideCi(bool isRoot, bool isCi, string expected) =>
        Assert.Equal(expected, Require.Decide(isRoot, isCi).ToString());
}
