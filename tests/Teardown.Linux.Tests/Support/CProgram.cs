using System.Diagnostics;

namespace Teardown.Linux.Tests.Support;

/// <summary>Compiles and runs a small C program with the system gcc (Tmds.LibC StructTests style).</summary>
internal static class CProgram
{
    /// <summary>Returns the program's stdout lines, or null (with a reason) when gcc is unavailable.</summary>
    internal static IReadOnlyList<string>? CompileAndRun(string source, out string? skipReason)
    {
        string? gcc = FindOnPath("gcc");
        if (gcc is null)
        {
            skipReason = "gcc is not installed, so struct layouts cannot be checked against the uapi headers";
            return null;
        }

        string dir = Path.Combine(Path.GetTempPath(), "teardown-cprog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string c = Path.Combine(dir, "layout.c");
            string exe = Path.Combine(dir, "layout");
            File.WriteAllText(c, source);
            var (code, output, error) = Run(gcc, $"-Wall -Werror -o {exe} {c}");
            if (code != 0)
            {
                throw new InvalidOperationException($"gcc failed ({code}): {error}{output}");
            }

            (code, output, error) = Run(exe, "");
            if (code != 0)
            {
                throw new InvalidOperationException($"layout program failed ({code}): {error}");
            }

            skipReason = null;
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Output, string Error) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
