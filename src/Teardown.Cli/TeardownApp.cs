using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;
using Teardown.Cli.Commands;
using Teardown.Cli.Output;

namespace Teardown.Cli;

/// <summary>The command tree of <c>teardown</c> and its exit-code policy (<see cref="ExitCodes"/>).</summary>
public static class TeardownApp
{
    /// <summary>The version printed by <c>teardown --version</c> (the assembly's informational version).</summary>
    public static string Version =>
        typeof(TeardownApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Runs one command line; every byte of output goes through <paramref name="terminal"/> (the process's own by default).</summary>
    public static int Run(string[] args, Terminal? terminal = null, StartupWork? startup = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        terminal ??= Terminal.ForProcess();
        var services = new ServiceCollection();
        services.AddSingleton(terminal);
        services.AddSingleton(startup ?? new StartupWork());
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("teardown");
            config.SetApplicationVersion(Version);
            config.ConfigureConsole(terminal.Out);
            config.Settings.StrictParsing = true;
            config.PropagateExceptions();
            config.AddExample("doctor");
            config.AddExample("demo");
            config.AddExample("watch");
            config.AddExample("doctor", "--all-netns", "--port", "8080");
            config.AddExample("run", "scenarios/seed/01-normal-close.scn");
            config.AddExample("diff", "scenarios/");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Explain stuck TCP connections on this host: why, whose fault, when (if ever) the kernel reaps them, what to fix.")
                .WithExample("doctor")
                .WithExample("doctor", "--brief")
                .WithExample("doctor", "--sockets", "--port", "8080")
                .WithExample("doctor", "--json")
                .WithExample("doctor", "--all-netns", "--port", "8080");
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("Reproduce a realistic pile-up of stuck connections in a private namespace, diagnose it, clean up (root).")
                .WithExample("demo");
            config.AddCommand<WatchCommand>("watch")
                .WithDescription("Live counts per class, growth per minute and descriptor/port exhaustion forecasts (Ctrl-C to stop).")
                .WithExample("watch")
                .WithExample("watch", "--interval", "5s", "--count", "3");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Watch this host continuously: Prometheus metrics at /metrics, a live page at /, the doctor's JSON at /api/report (root).")
                .WithExample("serve")
                .WithExample("serve", "--listen", "127.0.0.1:9877", "--interval", "15s")
                .WithExample("serve", "--all-netns", "--listen", ":9877");
            config.AddCommand<ReleaseCommand>("release")
                .WithDescription("Send our FIN on stuck CLOSE_WAIT sockets a live process holds (pidfd_getfd + shutdown): the peer sees a clean close. Dry run unless --apply.")
                .WithExample("release", "--finding", "1")
                .WithExample("release", "--pid", "4242", "--class", "close-wait-unread-eof")
                .WithExample("release", "--pid", "4242", "--class", "close-wait-unread-eof", "--apply")
                .WithExample("release", "--port", "8080", "--older-than", "10m", "--limit", "500", "--apply", "--rate", "200/s");
            config.AddCommand<KillCommand>("kill")
                .WithDescription("Destroy stuck sockets no process holds (SOCK_DESTROY): orphaned FIN_WAIT1, LAST_ACK, FIN_WAIT2. Dry run unless --apply.")
                .WithExample("kill", "--class", "fin-wait1-orphaned")
                .WithExample("kill", "--class", "fin-wait1-orphaned", "--remote", "192.0.2.7", "--apply")
                .WithExample("kill", "--finding", "2", "--json");
            config.AddCommand<WhatIfCommand>("whatif")
                .WithDescription("Each finding's future under changed settings, computed by the model seeded with the observed sockets: reaped when, before and after, what the peer sees, side effects. Changes nothing.")
                .WithExample("whatif", "--set", "net.ipv4.tcp_fin_timeout=10")
                .WithExample("whatif", "--set", "net.ipv4.tcp_orphan_retries=2", "--finding", "3")
                .WithExample("whatif", "--sockopt", "TCP_LINGER2=-1", "--pid", "4242")
                .WithExample("whatif", "--set", "net.ipv4.tcp_fin_timeout=120", "--input", "capture.json", "--json");
            config.AddCommand<RunCommand>("run")
                .WithDescription("Play scenarios (.scn) on the model (or the kernel) and check their expectations.")
                .WithExample("run", "scenarios/seed/01-normal-close.scn")
                .WithExample("run", "scenarios/seed/*.scn", "--quiet")
                .WithExample("run", "scenarios/seed/08-orphan-fin-wait2-reaped.scn", "--json")
                .WithExample("run", "scenarios/seed/01-normal-close.scn", "--target", "kernel");
            config.AddCommand<FuzzCommand>("fuzz")
                .WithDescription("Differential testing at scale: random valid scenarios on the model and the kernel (root); each divergence confirmed alone, shrunk, written as a minimal .scn.")
                .WithExample("fuzz", "--count", "100", "--seed", "1", "--jobs", "1")
                .WithExample("fuzz", "--budget", "1h", "--out", "findings/")
                .WithExample("fuzz", "--target", "model", "--count", "10000")
                .WithExample("fuzz", "--emit", "/tmp/generated", "--count", "20", "--seed", "5");
            config.AddCommand<DiffCommand>("diff")
                .WithDescription("Play scenarios on the model and on the real kernel (private namespaces, needs root) and report every divergence. A kernel run whose timing exceeded the lab's precision bounds (line lateness p99 1 ms, max 3 ms; wire p99 0.2 ms, max 3 ms; a zero-delay handshake 1 ms) is lab-imprecise: not judged. Exit 0 all agree, 1 a divergence or error, 3 only lab-imprecise runs besides agreements.")
                .WithExample("diff", "scenarios/")
                .WithExample("diff", "scenarios/seed/05-fin-wait1-unresponsive-peer.scn", "--json");
        });

        try
        {
            if (FailureReport.Malformed(args) is string malformed)
            {
                terminal.Fail(malformed);
                return ExitCodes.Usage;
            }

            if (args.Length == 0)
            {
                // No command is a usage error: show what there is, and say so in the exit code.
                app.Run(["--help"]);
                return ExitCodes.Usage;
            }

            return app.Run(ServeCommand.WithExporterSpellings(args));
        }
#pragma warning disable CA1031 // the one place where any failure becomes a message and an exit code
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return FailureReport.Report(ex, terminal, args);
        }
        finally
        {
            terminal.Flush();
        }
    }
}

/// <summary>Exit codes shared by every command (README, docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Done; nothing found.</summary>
    public const int Ok = 0;
    /// <summary>Findings, a failed expectation or a divergence.</summary>
    public const int Findings = 1;
    /// <summary>Bad usage or invalid input.</summary>
    public const int Usage = 2;
    /// <summary>A permission or a kernel feature is missing (or hid part of the host).</summary>
    public const int Permission = 3;
    /// <summary>A bug in teardown (please report it).</summary>
    public const int Internal = 70;
    /// <summary>Interrupted by Ctrl-C (SIGINT), 128 + 2 as shells report it.</summary>
    public const int Interrupted = 130;
}
