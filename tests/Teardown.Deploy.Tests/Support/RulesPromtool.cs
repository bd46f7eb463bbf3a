using System.Diagnostics;
using System.Text;

namespace Teardown.Deploy.Tests.Support;

/// <summary>
/// promtool, the checker Prometheus users run on rules (Debian package <c>prometheus</c>). Without it
/// a test skips with the reason, except under CI=true, where run-tests installs it and a skip would
/// hide a broken environment: there it fails.
/// </summary>
internal static class RulesPromtool
{
    internal const string MissingReason =
        "needs promtool (apt-get install prometheus, or PROMTOOL=/path/to/promtool); run-tests installs it";

    /// <summary>The promtool to run: $PROMTOOL, else the first on PATH, else /usr/bin/promtool; null when none exists.</summary>
    internal static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PROMTOOL");
        if (!string.IsNullOrEmpty(fromEnv)) return File.Exists(fromEnv) ? fromEnv : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "promtool");
            if (File.Exists(candidate)) return candidate;
        }
        return File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool" : null;
    }

    /// <summary>The promtool to run; skips the test when there is none (fails under CI=true).</summary>
    internal static string RequireOrSkip()
    {
        var tool = Find();
        if (tool is not null) return tool;
        if (Require.IsCi) throw new InvalidOperationException("CI=true, so this test must not skip: " + MissingReason);
        Skip.If(true, MissingReason);
        throw new InvalidOperationException("unreachable: Skip.If throws");
    }

    /// <summary>What a run printed and how it ended.</summary>
    internal sealed record Result(int ExitCode, string Output)
    {
        /// <summary>For an assertion message: the command, its exit code and everything it printed.</summary>
        internal string Describe(string command) => $"{command}\nexit code {ExitCode}\n{Output}";
    }

    /// <summary>Runs promtool with <paramref name="args"/> in <paramref name="workingDirectory"/> (default: the repository root).</summary>
    internal static Result Run(string tool, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory ?? RulesRepo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} ran for more than 2 minutes");
        }
        output.Append(stdout.GetAwaiter().GetResult()).Append(stderr.GetAwaiter().GetResult());
        return new Result(process.ExitCode, output.ToString());
    }
}
