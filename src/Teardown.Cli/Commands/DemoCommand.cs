using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Input;
using Teardown.Doctor.Report;
using Teardown.Doctor.Reproduction;
using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;

namespace Teardown.Cli.Commands;

/// <summary>
/// <c>teardown demo</c>: builds a private network namespace, reproduces a realistic accumulation of
/// stuck connections in it, runs the doctor on it, and removes everything again (also on Ctrl-C or
/// failure). Nothing on the host is changed: the sockets and the port-range sysctl live in the
/// private namespace, which disappears with its last reference.
/// </summary>
public sealed class DemoCommand(IAnsiConsole console) : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the doctor's report as JSON instead of tables.")]
        public bool Json { get; init; }

        [CommandOption("--save <FILE>")]
        [Description("Save the reproduction as a capture FILE (teardown doctor --input FILE analyses it again, without root).")]
        public string? Save { get; init; }

        [CommandOption("--details <N>")]
        [Description("Explain at most N findings in full (default 4).")]
        [DefaultValue(4)]
        public int Details { get; init; } = 4;
    }

    /// <summary>The classes the reproduction must produce; the demo fails loudly if one is missing.</summary>
    internal static readonly SocketClass[] Expected =
    [
        SocketClass.CloseWaitUnreadEof, SocketClass.CloseWaitReadNotClosed, SocketClass.CloseWaitUnreadData,
        SocketClass.CloseWaitNeverAccepted, SocketClass.FinWait2Orphaned, SocketClass.FinWait2HalfClosed, SocketClass.TimeWait,
        SocketClass.Established, SocketClass.FinWait1Orphaned, SocketClass.LastAckOrphaned,
    ];

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        Task.FromResult(Execute(settings, cancellationToken));

    private int Execute(Settings settings, CancellationToken cancellationToken)
    {
        if (!Privileges.IsRoot)
        {
            console.MarkupLine("[yellow]teardown demo needs root[/]: it creates a private network namespace (unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN).");
            console.MarkupLine("Run it as [bold]sudo ./teardown demo[/]. Without root, [bold]./teardown doctor[/] still inspects what this user can see.");
            return ExitCodes.Permission;
        }

        using var interrupt = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // finish the cleanup below instead of dying with sockets and a namespace open
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        var plan = new AccumulationPlan();
        void Step(string text)
        {
            linked.Token.ThrowIfCancellationRequested();
            if (!settings.Json) console.MarkupLineInterpolated($"[dim]{clock.Elapsed.TotalSeconds,5:0.0}s[/] {text}");
        }

        NetNsHandle? ns = null;
        var builder = new AccumulationBuilder();
        try
        {
            Step("creating a private network namespace (only loopback inside; the host is not touched)");
            var created = NetNs.CreatePrivate();
            if (!created.IsOk)
            {
                console.MarkupLineInterpolated($"[red]cannot create a network namespace:[/] {created.Error?.ToString()}");
                return ExitCodes.Permission;
            }

            ns = created.Value;
            Step($"reproducing {plan.Connections} connections: a leaky server, a stale client pool, a half-closing client, a slow acceptor, short-lived clients");
            var built = NetNs.Run(ns, () =>
            {
                builder.Build(plan, Step);
                return builder.Held;
            });
            if (!built.IsOk)
            {
                console.MarkupLineInterpolated($"[red]cannot enter the namespace:[/] {built.Error?.ToString()}");
                return ExitCodes.Permission;
            }

            if (builder.SkippedUnreachable is string why)
            {
                Step($"skipped the unreachable-peer part: {why}");
            }

            Step($"holding {built.Value} descriptors; running the doctor on the namespace");
            var snapshot = InventoryReader.Take(new InventoryOptions { Namespace = ns });
            var input = DoctorInput.From(snapshot);
            if (settings.Save is string save && !Captures.TrySave(console, save, input))
            {
                return ExitCodes.Usage;
            }

            var report = DoctorAnalysis.Analyze(input);
            int exit = Render(settings, report, clock.Elapsed);
            var missing = Expected.Where(c => !report.ClassCounts.ContainsKey(c))
                .Where(c => builder.SkippedUnreachable is null || c is not (SocketClass.FinWait1Orphaned or SocketClass.LastAckOrphaned)).ToList();
            if (missing.Count > 0)
            {
                console.MarkupLineInterpolated($"[red]the reproduction did not produce: {string.Join(", ", missing.Select(m => m.Id()))}[/]");
                return ExitCodes.Findings;
            }

            return exit;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]interrupted[/]: cleaning up");
            return 130;
        }
        finally
        {
            builder.Dispose();
            ns?.Dispose();
            Console.CancelKeyPress -= onCancel;
            if (!settings.Json) console.MarkupLineInterpolated($"[dim]{clock.Elapsed.TotalSeconds,5:0.0}s[/] cleaned up: sockets closed, namespace deleted");
        }
    }

    private int Render(Settings settings, DoctorReport report, TimeSpan elapsed)
    {
        if (settings.Json)
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                ReportJson.Write(w, [report], ExitCodes.Ok, elapsed);
            }

            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            return ExitCodes.Ok;
        }

        DoctorRenderer.Render(console, report, settings.Details, showNamespace: true);
        console.MarkupLine("[bold]The demo is a reproduction:[/] the findings above are expected. On a real host run [bold]./teardown doctor[/] (exit 1 means findings).");
        return ExitCodes.Ok;
    }
}
