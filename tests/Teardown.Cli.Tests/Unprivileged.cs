using System.Diagnostics;

namespace Teardown.Cli.Tests;

/// <summary>Runs the built CLI as a separate process under uid/gid 65534 (setpriv), to see what an unprivileged user gets.</summary>
internal static class Unprivileged
{
    internal static (int ExitCode, string Out, string Err)? Run(params string[] args)
    {
        if (!File.Exists("/usr/bin/setpriv")) return null;
        string dll = Path.Combine(AppContext.BaseDirectory, "teardown.dll");
        var psi = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", dll }.Concat(args)) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_HOME"] = "/tmp";
        psi.Environment["HOME"] = "/tmp";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
