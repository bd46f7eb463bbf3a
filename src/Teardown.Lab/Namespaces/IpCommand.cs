using System.Diagnostics;

namespace Teardown.Lab.Namespaces;

/// <summary>Runs iproute2's <c>ip</c> for namespace and interface plumbing (simple, well-known, no netlink route code of our own).</summary>
internal static class IpCommand
{
    /// <summary>Runs <c>ip ARGS</c>; throws with ip's message on failure.</summary>
    public static void Run(params string[] args)
    {
        (int code, string err) = TryRun(args);
        if (code != 0) throw new IOException($"ip {string.Join(' ', args)}: {err.Trim()}");
    }

    /// <summary>Runs <c>ip ARGS</c> and returns the exit code and stderr.</summary>
    public static (int Code, string Error) TryRun(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new IOException("cannot start ip");
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }
}
