using Teardown.Cli;
using Teardown.Cli.Output;

namespace Teardown.Cli.Tests;

/// <summary>Runs the CLI in-process with captured standard output and error.</summary>
internal static class CliHarness
{
    /// <summary>Runs one command line with its own output channel (no global console is touched, so tests run in parallel).</summary>
    public static (int ExitCode, string Out, string Err) Run(params string[] args) => RunSized(160, 50, args);

    /// <summary>As <see cref="Run"/>, rendering for a terminal of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static (int ExitCode, string Out, string Err) RunSized(int width, int height, params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        int code = TeardownApp.Run(args, Terminal.ForWriters(outWriter, errWriter, width, height));
        return (code, outWriter.ToString(), errWriter.ToString());
    }

    /// <summary>The repository root (the folder holding Teardown.slnx).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Teardown.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static string TempScenario(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"teardown-test-{Guid.NewGuid():N}.scn");
        File.WriteAllText(path, text);
        return path;
    }
}

/// <summary>Runs the built CLI as a child process (when the command must not be this process, e.g. a watcher that leaves itself out).</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Out, string Err) Run(params string[] args) => RunWithColumns("160", args);

    /// <summary>As <see cref="Run"/>, with COLUMNS set to <paramref name="columns"/>.</summary>
    public static (int ExitCode, string Out, string Err) RunWithColumns(string columns, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "teardown.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = columns;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
