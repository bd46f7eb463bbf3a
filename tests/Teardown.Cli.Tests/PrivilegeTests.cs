using System.Diagnostics;

namespace Teardown.Cli.Tests;

/// <summary>The kernel lab needs root; without it every command that needs the lab exits 3 with one line.</summary>
public sealed class PrivilegeTests
{
    [Theory]
    [InlineData("run", "--target", "kernel")]
    [InlineData("diff")]
    public void The_kernel_lab_without_privilege_exits_3_saying_what_is_missing(params string[] command)
    {
        string scenario = Path.Combine(CliHarness.RepoRoot, "scenarios", "seed", "01-normal-close.scn");
        var (code, output, error) = RunUnprivileged([.. command.Take(1), scenario, .. command.Skip(1)]);
        Assert.Equal(3, code);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("needs root", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzing_against_the_kernel_without_privilege_exits_3_before_generating_anything()
    {
        var (code, output, error) = RunUnprivileged(["fuzz", "--count", "1", "--seed", "1"]);
        Assert.Equal(3, code);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("needs root", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    /// <summary>Runs the CLI as uid/gid 65534 (via setpriv when we are root; directly otherwise).</summary>
    private static (int Code, string Output, string Error) RunUnprivileged(string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "teardown.dll");
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        bool root = Environment.UserName == "root";
        if (root)
        {
            psi.FileName = "setpriv";
            foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", dll }) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(dll);
        }

        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = Path.GetTempPath();
        psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error.Result);
    }
}
