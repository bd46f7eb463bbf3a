using System.Text.Json;

namespace Teardown.Cli.Tests;

[Collection(nameof(CountsDescriptors))]
public class DemoAndWatchTests
{
    [SkippableFact]
    public void Demo_ProducesEveryClass_AndCleansUp()
    {
        Require.RootOrSkip();
        int before = Directory.GetFiles("/proc/self/fd").Length;
        var (code, stdout, _) = CliHarness.Run("demo", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var ns = doc.RootElement.GetProperty("namespaces")[0];
        var byClass = ns.GetProperty("summary").GetProperty("byClass");
        foreach (var id in new[] { "close-wait-unread-eof", "close-wait-read-not-closed", "close-wait-unread-data", "close-wait-never-accepted",
                     "fin-wait2-orphaned", "fin-wait2-half-closed", "time-wait", "established" })
        {
            Assert.True(byClass.TryGetProperty(id, out var n) && n.GetInt32() > 0, id);
        }

        if (new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists))
        {
            // The unreachable-peer part needs iproute2.
            Assert.Equal(5, byClass.GetProperty("fin-wait1-orphaned").GetInt32());
            Assert.Equal(5, byClass.GetProperty("last-ack-orphaned").GetInt32());
        }

        var kinds = ns.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()).ToHashSet();
        Assert.Contains("close-wait-never-accepted", kinds);
        Assert.Contains("time-wait", kinds);
        // Every descriptor the demo opened is closed again (allow a little runtime noise).
        int after = Directory.GetFiles("/proc/self/fd").Length;
        Assert.InRange(after, 0, before + 10);
    }

    [SkippableFact]
    public void Demo_Tables_ShowProgressFindingsAndCleanup()
    {
        Require.RootOrSkip();
        var (code, stdout, _) = CliHarness.Run("demo", "--details", "1");
        Assert.Equal(0, code);
        Assert.Contains("private network namespace", stdout, StringComparison.Ordinal);
        Assert.Contains("Findings", stdout, StringComparison.Ordinal);
        Assert.Contains("cleaned up", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Demo_WithoutRoot_Exits3_WithAnExplanation()
    {
        Require.RootOrSkip();
        var result = Unprivileged.Run("demo");
        Skip.If(result is null, "setpriv is not installed");
        var (code, stdout, stderr) = result!.Value;
        Assert.Equal(3, code);
        Assert.Contains("needs root", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("needs root", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Watch_CtrlC_StopsCleanly()
    {
        Require.RootOrSkip(); // not root-specific, but spawns the built CLI like the unprivileged tests
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "watch", "--plain", "--interval", "200ms" }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        var firstSample = new ManualResetEventSlim();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains("sample 1", StringComparison.Ordinal)) firstSample.Set();
        };
        p.BeginOutputReadLine();
        try
        {
            Assert.True(firstSample.Wait(TimeSpan.FromSeconds(30)), "no first sample");
            Assert.Equal(0, Signals.Kill(p.Id, Signals.SigInt));
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(10)), "watch did not stop on SIGINT");
        }
        finally
        {
            // A failed run must not leave a watch sampling the host every 200 ms behind it (it disturbed the lab's timing).
            if (!p.HasExited) p.Kill();
        }

        p.WaitForExit();
        Assert.Contains(p.ExitCode, new[] { 0, 1, 3 });
        lock (output) Assert.Contains("watch stopped after", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Watch_NonInteractive_PrintsEachSampleAndStops()
    {
        var (code, stdout, _) = CliHarness.Run("watch", "--plain", "--count", "2", "--interval", "100ms");
        Assert.Contains(code, new[] { 0, 1, 3 });
        Assert.Contains("sample 1", stdout, StringComparison.Ordinal);
        Assert.Contains("sample 2", stdout, StringComparison.Ordinal);
        Assert.Contains("watch stopped after 2 samples", stdout, StringComparison.Ordinal);
    }
}
