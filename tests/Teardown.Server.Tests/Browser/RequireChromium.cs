namespace Teardown.Tests.Shared;

/// <summary>
/// The Require rule (tests/Shared/Require.cs) for tests that drive a real browser: without
/// /usr/bin/chromium they skip with a reason, except under CI=true, where a skip would hide a
/// broken image, so they fail loudly. Use with [SkippableFact].
/// </summary>
internal static class RequireChromium
{
    internal const string Reason = "needs Chromium at /usr/bin/chromium (Debian/Ubuntu: apt-get install chromium); Playwright is told not to download one";

    /// <summary>The rule itself, pure so that it can be tested on any machine.</summary>
    internal static Require.Verdict Decide(bool installed, bool isCi) => (installed, isCi) switch
    {
        (true, _) => Require.Verdict.Run,
        (false, true) => Require.Verdict.Fail,
        (false, false) => Require.Verdict.Skip,
    };

    /// <summary>Skips (or under CI fails) unless the system Chromium is installed.</summary>
    internal static void OrSkip()
    {
        switch (Decide(Server.Tests.Browser.ChromiumSession.IsInstalled, Require.IsCi))
        {
            case Require.Verdict.Fail:
                throw new InvalidOperationException("CI=true, so this browser test must not skip: " + Reason);
            case Require.Verdict.Skip:
                Skip.If(true, Reason);
                break;
            default:
                break;
        }
    }
}
