using System.Diagnostics;
using System.Text.Json;

namespace Teardown.Cli.Tests;

/// <summary>The doctor on a host where sock_diag is unavailable (blocked by a seccomp filter): it falls back to /proc and says so.</summary>
public class NoSockDiagTests
{
    [SkippableFact]
    public void WithoutSockDiag_FallsBackToProc_AndSaysTheViewIsPartial()
    {
        string? gcc = new[] { "/usr/bin/gcc", "/usr/local/bin/gcc" }.FirstOrDefault(File.Exists);
        Skip.If(gcc is null, "gcc is not installed, so the seccomp wrapper cannot be built");
        string dir = Path.Combine(Path.GetTempPath(), "teardown-nosockdiag-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string exe = Path.Combine(dir, "no-sock-diag");
            string source = Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Cli.Tests", "Support", "no-sock-diag.c");
            var (cc, _, ccErr) = Run(gcc!, "-Wall", "-Werror", "-o", exe, source);
            Assert.True(cc == 0, ccErr);

            var (code, stdout, stderr) = Run(exe, "dotnet", Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "doctor", "--json");
            using var doc = JsonDocument.Parse(stdout);
            var ns = doc.RootElement.GetProperty("namespaces")[0];
            // A partial view exits 3 unless what could be seen has findings (other tests' sockets may be stuck).
            bool findings = ns.GetProperty("findings").EnumerateArray().Any(f => f.GetProperty("severity").GetString() is not "info");
            Assert.True(code == (findings ? 1 : 3), $"exit {code}: {stderr}");
            Assert.Equal("proc_net_tcp", ns.GetProperty("source").GetString());
            var kinds = ns.GetProperty("blindSpots").EnumerateArray().Select(b => b.GetProperty("kind").GetString()).ToList();
            Assert.Contains("sock-diag-unavailable", kinds);
            Assert.Contains("reduced-socket-detail", kinds);
            Assert.True(ns.GetProperty("partial").GetBoolean());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error);
    }
}
