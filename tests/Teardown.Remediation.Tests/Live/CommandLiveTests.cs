using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Teardown.Cli;
using Teardown.Cli.Output;
using Teardown.Linux.Tests.Support;
using Teardown.Remediation.Tests.Support;

namespace Teardown.Remediation.Tests.Live;

/// <summary><c>teardown release</c> and <c>teardown kill</c> as a user runs them, against sockets in a private namespace.</summary>
public sealed class CommandLiveTests
{
    [SkippableFact]
    public void Release_prints_the_plan_and_changes_nothing_until_apply_then_reports_audits_and_acts()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        var (holder, peer, local, remote) = Remedy.HeldCloseWait(lab);
        string ledger = Path.Combine(Path.GetTempPath(), $"teardown-ledger-{Guid.NewGuid():N}.jsonl");
        string syslogPath = Path.Combine(Path.GetTempPath(), $"teardown-log-{Guid.NewGuid():N}.sock");
        using var syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        syslog.Bind(new UnixDomainSocketEndPoint(syslogPath));
        try
        {
            string pid = holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // By default a CLOSE_WAIT that heard from its peer in the last minute is left alone.
            var (youngCode, young, _) = Run("release", "--pid", pid);
            Assert.Equal(0, youngCode);
            Assert.Contains("Left out: 1 socket that received something in the last 1m", young, StringComparison.Ordinal);

            var (dryCode, dry, _) = Run("release", "--pid", pid, "--older-than", "0s", "--ledger", ledger, "--syslog", syslogPath);

            Assert.Equal(0, dryCode);
            Assert.Contains("dry run: nothing is changed without --apply", dry, StringComparison.Ordinal);
            Assert.Contains($"(pid {pid}, fd {holder.Fd})", dry, StringComparison.Ordinal);
            Assert.Contains("close-wait-unread-eof", dry, StringComparison.Ordinal);
            Assert.Contains($"teardown release --pid {pid} --older-than 0s --apply", dry, StringComparison.Ordinal);
            Assert.Equal(TcpState.CloseWait, lab.Find(local, remote)?.KernelState);
            Assert.False(File.Exists(ledger));

            var (code, json, _) = Run("release", "--pid", pid, "--older-than", "0s", "--apply", "--json", "--ledger", ledger, "--syslog", syslogPath);

            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            Assert.Equal("teardown.actions/1", root.GetProperty("schema").GetString());
            var result = Assert.Single(root.GetProperty("results").EnumerateArray().ToList());
            Assert.Equal("released", result.GetProperty("outcome").GetString());
            Assert.Equal(holder.Fd, result.GetProperty("fd").GetInt32());
            Assert.Equal(1, root.GetProperty("totals").GetProperty("released").GetInt32());
            Assert.Equal(TcpState.Close, lab.WaitFor(local, remote, TcpState.Close));
            // The audit: one ledger line, and syslog lines for the start, the socket and the end.
            var line = Assert.Single(File.ReadAllLines(ledger));
            Assert.Contains("\"outcome\":\"released\"", line, StringComparison.Ordinal);
            var datagrams = Receive(syslog);
            Assert.Equal(3, datagrams.Count);
            Assert.StartsWith("<85>", datagrams[1], StringComparison.Ordinal); // authpriv.notice
            Assert.Contains($"release released: CLOSE_WAIT {HandsLab.Endpoint(local)} -> {HandsLab.Endpoint(remote)}", datagrams[1], StringComparison.Ordinal);
            Assert.Contains($"pid={pid} fd={holder.Fd}", datagrams[1], StringComparison.Ordinal);
            Assert.Contains("by uid=0", datagrams[1], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(ledger);
            File.Delete(syslogPath);
        }
    }

    [SkippableFact]
    public void Ctrl_c_stops_between_two_sockets_reports_what_was_done_and_leaves_the_rest_as_they_were()
    {
        Require.RootOrSkip();
        using var lab = HandsLab.DeadPeer();
        using var crowd = Crowd.Start(lab.Local, IPAddress.Parse("10.199.0.1"));
        AdversarialLiveTests.CloseWaitsHeldBy(lab, crowd, 300);
        string ledger = Path.Combine(Path.GetTempPath(), $"teardown-ledger-{Guid.NewGuid():N}.jsonl");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "release", "--pid", crowd.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--older-than", "0s", "--apply", "--rate", "100/s", "--ledger", ledger, "--syslog", "none" })
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var release = Process.Start(psi)!;
            var stdout = release.StandardOutput.ReadToEndAsync();
            // The first progress line comes after a second of work: then interrupt.
            string? progress = release.StandardError.ReadLine();
            while (progress is not null && !progress.Contains("release ", StringComparison.Ordinal)) progress = release.StandardError.ReadLine();
            Assert.NotNull(progress);
            Assert.Equal(0, Signal(release.Id, "INT"));
            Assert.True(release.WaitForExit(10_000), "release ignored Ctrl-C");

            Assert.Equal(130, release.ExitCode);
            string text = stdout.Result;
            Assert.Contains("Interrupted (Ctrl-C): released ", text, StringComparison.Ordinal);
            int released = File.ReadAllLines(ledger).Length;
            Assert.InRange(released, 50, 290);
            Assert.Contains($"released {released}, killed 0, skipped 0, refused 0, not reached {300 - released} of 300", text, StringComparison.Ordinal);
            Thread.Sleep(200);
            int stillWaiting = Remedy.Census(lab.Diag).Values.Count(s => s.State == TcpState.CloseWait && s.Local.Port == crowd.Endpoint.Port);
            Assert.Equal(300 - released, stillWaiting);
        }
        finally
        {
            File.Delete(ledger);
        }
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TeardownApp.Run(args, Terminal.ForWriters(output, error));
        return (code, output.ToString(), error.ToString());
    }

    private static List<string> Receive(Socket socket)
    {
        var lines = new List<string>();
        var buffer = new byte[4096];
        while (socket.Poll(200_000, SelectMode.SelectRead))
        {
            int n = socket.Receive(buffer);
            lines.Add(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return lines;
    }

    private static int Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}")!;
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
