using System.Diagnostics;
using System.Globalization;
using Teardown.Lab.Namespaces;
using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>Whatever happens to a run, nothing it created survives it.</summary>
[Collection("live kernel")]
public sealed class LiveCleanupTests(ITestOutputHelper output)
{
    private static Scenario LongIdle() => new ScenarioBuilder().Host("client").Host("server")
        .At(0, new ListenCall("server", "L", 8080, null))
        .At(0, new ConnectCall("client", "C", "server", 8080))
        .At(0.1, new AcceptCall("server", "S", "L"))
        .At(1.5, new SendCall("client", "C", 1))
        .At(5, new CloseCall("client", "C"))
        .Build();

    [Fact]
    public async Task AgentKilledFromOutside_RunFailsWithLabRunError_AndEverythingIsRemoved()
    {
        if (!LiveKernel.Available(output)) return;
        Task<Scenarios.Tracing.ScenarioTrace> run = new KernelTarget().PlayAsync(LongIdle(), CancellationToken.None);
        string ns = await WaitForNamespace("client");
        await Task.Delay(600); // mid-run: after the connection is up, before the send at 1.5 s
        LabNamespaces.KillProcessesIn(ns);
        var sw = Stopwatch.StartNew();
        LabRunException e = await Assert.ThrowsAsync<LabRunException>(() => run);
        output.WriteLine(e.ToString());
        Assert.Contains("died", e.Message, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), "the failure must be reported at the next call, not at the end");
        Assert.Empty(LiveKernel.OurNamespaces());
        Assert.DoesNotContain(Directory.GetDirectories("/sys/kernel/tracing/instances"), d => Path.GetFileName(d).StartsWith($"td-{Environment.ProcessId}-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallBlockedAtTheEnd_IsRecordedBlocked_ItsHostsLaterLinesNeverRun_AndEverythingIsRemoved()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new NetDrop("client", "server", false))
            .At(0, new ConnectCall("client", "C", "server", 8080)) // SYNs vanish: connect blocks for minutes
            .At(0.1, new SendCall("client", "C", 1))
            .Build();
        var sw = Stopwatch.StartNew();
        var target = new KernelTarget(new KernelTargetOptions { CallTimeout = TimeSpan.FromSeconds(1) });
        ScenarioTrace trace = await target.PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);

        // As on the model: the connect is still blocked when the timeline ends, the send behind it never ran, and
        // the run does not wait for either (it used to wait for CallTimeout and fail: fuzz seed 29990001).
        Assert.Single(trace.OfType<CallBlockedTraced>(), b => b.Line.Statement is ConnectCall);
        Assert.DoesNotContain(trace.OfType<CallTraced>(), c => c.Line.Statement is SendCall);
        Assert.Contains(trace.OfType<NoteTraced>(), n => n.Text.Contains("was still blocked: line", StringComparison.Ordinal) && n.Text.Contains("never ran", StringComparison.Ordinal));

        // The note says what the call waits for (HangReport): a socket in SYN_SENT whose SYNs the wire dropped.
        NoteTraced why = Assert.Single(trace.OfType<NoteTraced>(), n => n.Text.Contains("still blocked at the end", StringComparison.Ordinal));
        Assert.Contains("client's kernel: SYN_SENT", why.Text, StringComparison.Ordinal);
        Assert.Matches(@"client->server Syn \d+->8080 dropped", why.Text);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 5);
        Assert.Empty(target.CleanupProblems);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task Cancellation_StopsTheRunPromptly_AndEverythingIsRemoved()
    {
        if (!LiveKernel.Available(output)) return;
        using var cts = new CancellationTokenSource();
        Task<Scenarios.Tracing.ScenarioTrace> run = new KernelTarget().PlayAsync(LongIdle(), cts.Token);
        await WaitForNamespace("server");
        await Task.Delay(300);
        var sw = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"cancellation took {sw.Elapsed}");
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public void StaleCleanup_RemovesNamespacesOfDeadOwners_KeepsLiveOnes()
    {
        if (!LiveKernel.Available(output)) return;
        int dead = DeadPid();
        string stale = LabNamespaces.NameFor(dead, "stale0", "h", 0);
        string live = LabNamespaces.NameFor(Environment.ProcessId, "live00", "h", 0);
        IpCommand.Run("netns", "add", stale);
        IpCommand.Run("netns", "add", live);
        try
        {
            IReadOnlyList<string> removed = LabNamespaces.RemoveStale();
            Assert.Contains(stale, removed);
            Assert.DoesNotContain(stale, LabNamespaces.List());
            Assert.Contains(live, LabNamespaces.List());
        }
        finally
        {
            IpCommand.TryRun("netns", "del", stale);
            IpCommand.TryRun("netns", "del", live);
        }
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id; // reaped: nobody has this pid now (reuse within the test is vanishingly unlikely)
    }

    private static async Task<string> WaitForNamespace(string host)
    {
        for (int i = 0; i < 200; i++)
        {
            string? ns = LiveKernel.OurNamespaces().FirstOrDefault(n => n.EndsWith("-" + host, StringComparison.Ordinal));
            if (ns is not null && PidsIn(ns).Count > 0) return ns;
            await Task.Delay(25);
        }

        throw new TimeoutException("the run never created its namespace for " + host);
    }

    private static List<int> PidsIn(string ns)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in (string[])["netns", "pids", ns]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l.Trim(), CultureInfo.InvariantCulture)).ToList();
    }
}
