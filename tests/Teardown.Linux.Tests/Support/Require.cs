using Teardown.Linux.Interop;

namespace Teardown.Linux.Tests.Support;

/// <summary>
/// The one rule for tests that need the real kernel with privileges: without root they skip with a
/// reason, except under CI=true, where a skip would hide a broken environment, so they fail loudly.
/// Use with [SkippableFact].
/// </summary>
internal static class Require
{
    internal static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    internal static bool IsRoot => Libc.geteuid() == 0;

    /// <summary>Skips (or under CI fails) unless running as root.</summary>
    internal static void RootOrSkip()
    {
        if (IsRoot)
        {
            return;
        }

        const string Reason = "needs root: unshare(CLONE_NEWNET) and setns need CAP_SYS_ADMIN, SOCK_DESTROY needs CAP_NET_ADMIN";
        if (IsCi)
        {
            throw new InvalidOperationException("CI=true, so this kernel test must not skip: " + Reason);
        }

        Skip.If(true, Reason);
    }
}
