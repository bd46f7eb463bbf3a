using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Findings;
using Teardown.Doctor.Input;
using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;
using Xunit.Abstractions;

namespace Teardown.Doctor.Tests.Live;

/// <summary>
/// The doctor's "reaped within" on the real kernel: sockets of every reaped class are built in private
/// namespaces, the doctor's prediction is recorded, and each socket must vanish from sock_diag when it said
/// (within the timer wheel's slack) — and the ones it called never must still be there at the end.
/// Packet loss is real: nftables drops at the receiver's input hook, so the sender's transmit succeeds.
/// </summary>
public sealed class ReapPredictionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly IPAddress Loopback = IPAddress.Loopback;
    private readonly List<Socket> _held = [];
    private readonly List<NetNsHandle> _namespaces = [];
    private readonly Dictionary<int, Socket> _listeners = [];

    // The Linux timer wheel fires a timer at most about 1/8 of its timeout late (kernel/time/timer.c:
    // calc_wheel_index, a level's granularity is 1/8 of its range); plus the poll interval and scheduling.
    private static TimeSpan LateSlack(TimeSpan predicted) => predicted / 8 + TimeSpan.FromMilliseconds(400);

    private static readonly TimeSpan EarlySlack = TimeSpan.FromMilliseconds(150);

    [SkippableFact]
    public void EveryReapedClassVanishesWhenTheDoctorSaid_AndNeverMeansStillThere()
    {
        Require.RootOrSkip();
        string? nft = new[] { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" }.FirstOrDefault(File.Exists);
        if (nft is null && Require.IsCi) throw new InvalidOperationException("CI=true: nft (nftables) is needed to drop packets for real; run-tests installs it");
        Skip.If(nft is null, "nft (nftables) is missing: this test drops packets at the peer's input hook with it");

        // Namespace A: tcp_fin_timeout 3 s (timewait path), tcp_orphan_retries 2, a 10-port range so that two
        // TIME_WAIT sockets are a finding. Namespace B: tcp_fin_timeout 62 s (the keepalive-timer path, 2X − 120 = 4 s).
        var a = Namespace(("tcp_fin_timeout", "3"), ("tcp_orphan_retries", "2"), ("ip_local_port_range", "40000 40009"));
        var b = Namespace(("tcp_fin_timeout", "62"));
        Run(a, () =>
        {
            Nft(nft!, "add table inet reap");
            Nft(nft!, "add chain inet reap in { type filter hook input priority 0 ; }");

            // Orphaned FIN_WAIT2 (timewait path) on the client; its server end stays CLOSE_WAIT, held: never.
            var (c1, s1) = Pair(7001);
            c1.Dispose();
            _held.Add(s1);

            // Half-closed FIN_WAIT2: shutdown(SHUT_WR), the descriptor kept: never. Its server end: CLOSE_WAIT.
            var (c2, s2) = Pair(7002);
            c2.Shutdown(SocketShutdown.Send);
            _held.Add(c2);
            _held.Add(s2);

            // Orphaned FIN_WAIT1: nothing reaches the server any more; data and FIN retransmit until tcp_orphan_retries.
            var (c3, s3) = Pair(7003);
            Nft(nft!, "add rule inet reap in tcp dport 7003 drop");
            c3.Send(new byte[100]);
            c3.Dispose();
            _held.Add(s3);

            // Orphaned LAST_ACK: the client closed first; the server's FIN never reaches it.
            var (c4, s4) = Pair(7004);
            c4.Dispose();
            Thread.Sleep(50);
            Nft(nft!, "add rule inet reap in tcp sport 7004 drop");
            s4.Dispose();

            // Orphaned CLOSING: a simultaneous close where nothing of the client's reaches the server any more.
            var (c7, s7) = Pair(7007);
            Nft(nft!, "add rule inet reap in tcp dport 7007 drop");
            c7.Dispose();
            Thread.Sleep(20);
            s7.Dispose();

            // TIME_WAIT on the client: it closed first, then the server.
            for (int i = 0; i < 2; i++)
            {
                var (c5, s5) = Pair(7005);
                c5.Dispose();
                Thread.Sleep(20);
                s5.Dispose();
            }

            return true;
        });
        Run(b, () =>
        {
            var (c6, s6) = Pair(7006);
            c6.Dispose();
            _held.Add(s6);
            return true;
        });
        Thread.Sleep(100);

        // Each prediction counts from the instant its namespace was read (the kernel's timers as of then).
        var clock = Stopwatch.StartNew();
        var predictions = Predict(a, clock).Concat(Predict(b, clock)).ToList();
        foreach (var c in new[] { SocketClass.FinWait2Orphaned, SocketClass.FinWait1Orphaned, SocketClass.LastAckOrphaned, SocketClass.ClosingOrphaned, SocketClass.TimeWait })
        {
            Assert.Contains(predictions, p => p.Finding.Class == c && !p.Finding.Reap.Never);
        }

        Assert.Contains(predictions, p => p.Finding.Class == SocketClass.FinWait2Orphaned && p.Finding.Reap.Latest > TimeSpan.FromSeconds(3));
        Assert.Contains(predictions, p => p.Finding.Class == SocketClass.CloseWaitUnreadEof && p.Finding.Reap.Never);
        Assert.Contains(predictions, p => p.Finding.Class == SocketClass.FinWait2HalfClosed && p.Finding.Reap.Never);

        // Watch every socket of every finding until the reaped ones are all gone (or their time has long passed).
        var reaped = predictions.Where(p => !p.Finding.Reap.Never).ToList();
        var deadline = reaped.Max(p => p.Read + p.Finding.Reap.Latest!.Value + LateSlack(p.Finding.Reap.Latest.Value)) + TimeSpan.FromSeconds(1);
        var vanished = new Dictionary<(string, string), TimeSpan>();
        while (clock.Elapsed < deadline && reaped.Any(p => p.Tuples.Any(t => !vanished.ContainsKey(t))))
        {
            Thread.Sleep(50);
            var now = clock.Elapsed;
            var present = Present(a).Concat(Present(b)).ToHashSet();
            foreach (var p in predictions)
            {
                foreach (var t in p.Tuples)
                {
                    if (!present.Contains(t)) vanished.TryAdd(t, now - p.Read);
                }
            }
        }

        var failures = new List<string>();
        foreach (var p in predictions)
        {
            var f = p.Finding;
            foreach (var t in p.Tuples)
            {
                bool gone = vanished.TryGetValue(t, out var at);
                if (f.Reap.Never)
                {
                    if (gone) failures.Add($"{f.Class.Id()} {t}: the doctor said never, but it vanished after {at.TotalSeconds:0.00} s");
                    continue;
                }

                var latest = f.Reap.Latest!.Value;
                var earliest = f.Reap.Earliest ?? TimeSpan.Zero;
                if (!gone) failures.Add($"{f.Class.Id()} {t}: predicted within {latest.TotalSeconds:0.00} s, still there after {(clock.Elapsed - p.Read).TotalSeconds:0.00} s");
                else if (at > latest + LateSlack(latest) || at < earliest - EarlySlack)
                {
                    failures.Add($"{f.Class.Id()} {t}: predicted {earliest.TotalSeconds:0.00}–{latest.TotalSeconds:0.00} s, vanished after {at.TotalSeconds:0.00} s");
                }
            }
        }

        string Seen(Prediction p) => string.Join(", ", p.Tuples.Select(t => vanished.TryGetValue(t, out var v) ? $"{v.TotalSeconds:0.00} s" : "no"));
        var table = predictions.Select(p => $"  {p.Finding.Class.Id()} {p.Finding.Service}: {p.Finding.Reap.Display} ({p.Finding.Reap.Source.Id()}); vanished: {Seen(p)}");
        foreach (string line in table) output.WriteLine(line);
        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\npredictions:\n" + string.Join("\n", table));
    }

    private sealed record Prediction(Finding Finding, IReadOnlyList<(string Local, string Remote)> Tuples, TimeSpan Read);

    private static List<Prediction> Predict(NetNsHandle ns, Stopwatch clock)
    {
        var read = clock.Elapsed;
        var report = DoctorAnalysis.Analyze(DoctorInput.From(InventoryReader.Take(new InventoryOptions { Namespace = ns })));
        return [.. report.Findings.Select(f => new Prediction(f, [.. f.Examples.Select(e => (e.Local, e.Remote))], read))];
    }

    private static IEnumerable<(string, string)> Present(NetNsHandle ns) =>
        InventoryReader.Take(new InventoryOptions { Namespace = ns }).Sockets.Select(s => (s.Local.ToString(), s.Remote.ToString()));

    private NetNsHandle Namespace(params (string Key, string Value)[] sysctls)
    {
        var created = NetNs.CreatePrivate();
        Assert.True(created.IsOk, created.Error?.ToString());
        var ns = created.Value;
        _namespaces.Add(ns);
        Run(ns, () =>
        {
            // /proc/sys/net follows the calling thread's namespace: this changes only the private one.
            foreach (var (key, value) in sysctls) File.WriteAllText($"/proc/sys/net/ipv4/{key}", value);
            return true;
        });
        return ns;
    }

    private static void Run(NetNsHandle ns, Func<bool> work)
    {
        var done = NetNs.Run(ns, work);
        Assert.True(done.IsOk, done.Error?.ToString());
    }

    // One listener per port, without SO_REUSEADDR: .NET sets SO_REUSEPORT with it on Linux, and two listeners on
    // one port would split the connections between their accept queues.
    private (Socket Client, Socket Server) Pair(int port)
    {
        if (!_listeners.TryGetValue(port, out var listener))
        {
            listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _held.Add(listener);
            _listeners[port] = listener;
            listener.Bind(new IPEndPoint(Loopback, port));
            listener.Listen(16);
        }

        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(Loopback, port));
        return (client, listener.Accept());
    }

    // Runs nft from this thread: a child forked here inherits the thread's network namespace.
    private static void Nft(string nft, string command)
    {
        var psi = new ProcessStartInfo(nft) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in command.Split(' ')) psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"nft {command}: {error}");
    }

    public void Dispose()
    {
        foreach (var s in _held) s.Dispose();
        foreach (var ns in _namespaces) ns.Dispose();
    }
}
