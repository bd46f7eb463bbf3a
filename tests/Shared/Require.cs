using System.Runtime.InteropServices;

namespace Teardown.Tests.Shared;

/// <summary>
/// The one rule for tests that need the real kernel with privileges: without root they skip with a
/// reason, except under CI=true, where a skip would hide a broken environment, so they fail loudly.
/// Use with [SkippableFact]. One file, linked into every test project that needs the kernel.
/// </summary>
internal static class Require
{
    internal static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    internal static bool IsRoot => NativeUid.Geteuid() == 0;

    internal const string RootReason = "needs root: unshare(CLONE_NEWNET) and setns need CAP_SYS_ADMIN, SOCK_DESTROY needs CAP_NET_ADMIN";

    /// <summary>What a kernel test does in an environment.</summary>
    internal enum Verdict
    {
        Run,
        Skip,
        Fail,
    }

    /// <summary>The rule itself, pure so that it can be tested without changing who we are.</summary>
    internal static Verdict Decide(bool isRoot, bool isCi) => (isRoot, isCi) switch
    {
        (true, _) => Verdict.Run,
        (false, true) => Verdict.Fail,
        (false, false) => Verdict.Skip,
    };

    /// <summary>Skips (or under CI fails) unless running as root.</summary>
    internal static void RootOrSkip()
    {
        switch (Decide(IsRoot, IsCi))
        {
            case Verdict.Fail:
                throw new InvalidOperationException("CI=true, so this kernel test must not skip: " + RootReason);
            case Verdict.Skip:
                Skip.If(true, RootReason);
                break;
            default:
                break;
        }
    }
}

internal static partial class NativeUid
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint Geteuid();
}
