using Teardown.Lab.Namespaces;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>
/// Gate for live kernel tests: without root they return early with the reason (xunit 2 has no dynamic
/// skip), except under CI=true, where a missing prerequisite fails the test loudly.
/// </summary>
internal static class LiveKernel
{
    /// <summary>True when live tests can run; false (after writing why) when they must be skipped.</summary>
    public static bool Available(ITestOutputHelper output)
    {
        string? why = LabPrerequisites.MissingReason();
        if (why is null) return true;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true but the kernel lab cannot run: " + why);
        }

        output.WriteLine("SKIPPED (live kernel test): " + why);
        return false;
    }

    /// <summary>Lab namespaces owned by this test process (other runs in parallel are not ours).</summary>
    public static IReadOnlyList<string> OurNamespaces() =>
        LabNamespaces.List().Where(n => LabNamespaces.OwnerPid(n) == Environment.ProcessId).ToList();
}
