using Teardown.Cli;

namespace Teardown.Cli.Tests;

/// <summary>Runs the CLI in-process with captured standard output and error.</summary>
internal static class CliHarness
{
    private static readonly object s_consoleLock = new();

    public static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        lock (s_consoleLock)
        {
            var outWriter = new StringWriter();
            var errWriter = new StringWriter();
            TextWriter oldOut = Console.Out, oldErr = Console.Error;
            Console.SetOut(outWriter);
            Console.SetError(errWriter);
            try
            {
                var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
                {
                    Ansi = Spectre.Console.AnsiSupport.No,
                    ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
                    Out = new Spectre.Console.AnsiConsoleOutput(outWriter),
                });
                int code = TeardownApp.Run(args, console);
                return (code, outWriter.ToString(), errWriter.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
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
