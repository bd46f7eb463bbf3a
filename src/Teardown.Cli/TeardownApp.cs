using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Cli.Commands;

namespace Teardown.Cli;

/// <summary>The command tree of <c>teardown</c> and its exit-code policy (0 ok, 1 findings, 2 usage, 3 permission).</summary>
public static class TeardownApp
{
    /// <summary>Table width for output that goes to a pipe or a file (no terminal to measure).</summary>
    internal const int RedirectedWidth = 160;

    public static int Run(string[] args, IAnsiConsole? console = null)
    {
        // A pipe or a file has no width, and Spectre.Console then assumes 80 columns, which wraps the
        // diff and findings tables cell by cell (a scenario path over four lines). Files and pagers take
        // long lines, as ss and netstat write them; COLUMNS still decides when set.
        if (console is null && Console.IsOutputRedirected && Environment.GetEnvironmentVariable("COLUMNS") is null)
        {
            AnsiConsole.Profile.Width = RedirectedWidth;
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("teardown");
            if (console is not null) config.ConfigureConsole(console);
            config.Settings.StrictParsing = true;
            config.SetExceptionHandler((ex, _) => HandleException(ex, console ?? AnsiConsole.Console));
            config.AddCommand<RunCommand>("run")
                .WithDescription("Play scenarios (.scn) on the model (or the kernel) and check their expectations.")
                .WithExample("run", "scenarios/seed/01-normal-close.scn")
                .WithExample("run", "scenarios/seed/*.scn", "--quiet")
                .WithExample("run", "scenarios/seed/08-orphan-fin-wait2-reaped.scn", "--json")
                .WithExample("run", "scenarios/seed/01-normal-close.scn", "--target", "kernel");
            config.AddCommand<DiffCommand>("diff")
                .WithDescription("Play scenarios on the model and on the real kernel (private namespaces, needs root) and report every divergence.")
                .WithExample("diff", "scenarios/")
                .WithExample("diff", "scenarios/seed/05-fin-wait1-unresponsive-peer.scn", "--json");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Explain stuck TCP connections on this host: why, whose fault, when (if ever) the kernel reaps them, what to fix.")
                .WithExample("doctor")
                .WithExample("doctor", "--json")
                .WithExample("doctor", "--all-netns", "--port", "8080");
            config.AddCommand<WatchCommand>("watch")
                .WithDescription("Live counts per class, growth per minute and descriptor/port exhaustion forecasts (Ctrl-C to stop).")
                .WithExample("watch")
                .WithExample("watch", "--interval", "5s", "--count", "3");
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("Reproduce a realistic pile-up of stuck connections in a private namespace, diagnose it, clean up (root).")
                .WithExample("demo");
        });
        return app.Run(args);
    }

    private static int HandleException(Exception ex, IAnsiConsole console)
    {
        switch (ex)
        {
            case CommandParseException or CommandRuntimeException:
                console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                console.MarkupLine("Try [bold]teardown --help[/] or [bold]teardown COMMAND --help[/].");
                return ExitCodes.Usage;
            case Teardown.Lab.LabUnavailableException lab:
                // One plain line on stderr (never wrapped), so scripts can show it as it is.
                Console.Error.WriteLine($"teardown: the kernel lab cannot run here: {lab.Reason}");
                return ExitCodes.Permission;
            case Teardown.Lab.LabRunException run:
                Console.Error.WriteLine($"teardown: the kernel lab failed: {run.Message}");
                return ExitCodes.Internal;
            case OperationCanceledException:
                console.MarkupLine("[yellow]interrupted[/]");
                return 130;
            default:
                console.MarkupLineInterpolated($"[red]internal error:[/] {ex.GetType().Name}: {ex.Message}");
                if (Environment.GetEnvironmentVariable("TEARDOWN_DEBUG") is "1") Console.Error.WriteLine(ex.ToString());
                else console.MarkupLine("[dim]Set TEARDOWN_DEBUG=1 for the stack trace, and please report it.[/]");
                return ExitCodes.Internal;
        }
    }
}

/// <summary>Exit codes shared by every command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Findings = 1;
    public const int Usage = 2;
    public const int Permission = 3;
    public const int Internal = 70;
}
