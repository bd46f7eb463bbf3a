using System.Text;
using System.Text.Json;
using System.Collections.Concurrent;
using Teardown.Lab.Wire;
using Teardown.Linux.Interop;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Agent;

/// <summary>
/// <c>teardown agent</c>: the process that holds one host's sockets. The runner starts it inside the
/// host's network namespace and talks to it with JSON lines (<see cref="AgentRequest"/> on stdin,
/// <see cref="AgentResponse"/> on stdout). Calls run one after another on a dedicated thread, because
/// connect and close block in the kernel; queries are answered by the reader at once. The agent prints
/// <c>{"id":0}</c> when ready and exits when stdin closes; the runner ends it with SIGKILL for <c>kill</c>.
/// </summary>
public static class AgentProgram
{
    /// <summary>Set to 0 by the lab for runs played side by side: the agent's threads then stay ordinary (KernelTargetOptions.RealTime).</summary>
    public const string RealTimeVariable = "TEARDOWN_AGENT_REALTIME";

    /// <summary>Runs the agent on the process's stdin/stdout; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using Stream input = Console.OpenStandardInput();
        using Stream output = Console.OpenStandardOutput();
        bool realTime = Environment.GetEnvironmentVariable(RealTimeVariable) != "0";
        return await Run(input, output, realTime, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Runs the agent protocol over the given streams (also used by in-process tests).</summary>
    /// <remarks>
    /// Deliberately synchronous: a blocking reader thread and a blocking call thread, so that a request
    /// reaches its syscall without thread-pool hops (which add milliseconds of jitter under load).
    /// </remarks>
    public static Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken) =>
        Run(input, output, realTime: false, cancellationToken);

    private static Task<int> Run(Stream input, Stream output, bool realTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var table = new SocketTable();
        var writer = new ResponseWriter(output);
        using var calls = new BlockingCollection<AgentRequest>();
        var callThread = new Thread(() => RunCalls(calls, table, writer, realTime)) { IsBackground = true, Name = "agent calls" };
        callThread.Start();
        if (Environment.GetEnvironmentVariable("TEARDOWN_AGENT_WARMUP") != "0") WarmUp();

        // This thread reads requests: real-time, so that a request reaches the call thread the moment it arrives —
        // but only now. The warm-up (and the runtime's start) is CPU-heavy work that must not preempt the
        // real-time threads of runs already playing (seen: a handshake > 10 ms while another run's agents started).
        if (realTime) SchedulingBoost.RealTime(SchedulingBoost.CallPriority);
        writer.Write(new AgentResponse { Id = 0, StartNs = MonotonicClock.NowNs() });

        using var reader = new StreamReader(input, new UTF8Encoding(false));
        using CancellationTokenRegistration reg = cancellationToken.Register(input.Dispose);
        try
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                AgentRequest? q = JsonSerializer.Deserialize(line, AgentJson.Default.AgentRequest);
                if (q is null) continue;
                switch (q.Op)
                {
                    case AgentOp.Ping:
                        writer.Write(new AgentResponse { Id = q.Id, StartNs = MonotonicClock.NowNs() });
                        break;
                    case AgentOp.Info:
                        var r = new AgentResponse { Id = q.Id, StartNs = MonotonicClock.NowNs() };
                        table.Info(q, r);
                        r.EndNs = MonotonicClock.NowNs();
                        writer.Write(r);
                        break;
                    default:
                        calls.Add(q, CancellationToken.None);
                        break;
                }
            }
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
        }

        calls.CompleteAdding();
        callThread.Join(TimeSpan.FromSeconds(1));
        return Task.FromResult(0);
    }

    /// <summary>
    /// Runs every call path on 127.0.0.1 before reporting ready, so that the scenario's first calls are not late
    /// by JIT compilation: each path costs 0.3–0.6 ms the first time (measured: the first listen without an
    /// address, the first socket placed in a freed slot). Two rounds — the second reuses the slots the first
    /// freed and listens on the wildcard address as scenarios do — plus the failing paths (EAGAIN, ECONNREFUSED,
    /// an unknown name). Every connection aborts (SO_LINGER 0), so no TIME_WAIT is left behind.
    /// </summary>
    private static void WarmUp()
    {
        var t = new SocketTable();
        AgentResponse Do(AgentOp op, string? sock, Action<AgentRequest>? set = null)
        {
            var q = new AgentRequest { Op = op, Socket = sock };
            set?.Invoke(q);
            var r = new AgentResponse { StartNs = MonotonicClock.NowNs() };
            if (op == AgentOp.Info) t.Info(q, r);
            else t.Execute(q, r);
            r.EndNs = MonotonicClock.NowNs();
            JsonSerializer.SerializeToUtf8Bytes(r, AgentJson.Default.AgentResponse);
            return r;
        }

        for (int round = 0; round < 2; round++)
        {
            AgentResponse l = Do(AgentOp.Listen, "l", q => q.Address = round == 0 ? "127.0.0.1" : null);
            if (l.Local is null) return;
            int port = System.Net.IPEndPoint.Parse(l.Local).Port;
            Do(AgentOp.Info, "l");
            Do(AgentOp.Accept, "a", q => q.Listener = "l"); // EAGAIN
            Do(AgentOp.Connect, "c", q => { q.Address = "127.0.0.1"; q.Port = port; });
            Do(AgentOp.Accept, "a", q => q.Listener = "l");
            Do(AgentOp.Recv, "a", q => q.N = 1); // EAGAIN
            Do(AgentOp.Send, "c", q => q.N = 1);
            Do(AgentOp.Recv, "a", q => q.N = 1);
            Do(AgentOp.Info, "a");
            Do(AgentOp.Error, "a");
            foreach (SocketOption o in (SocketOption[])[SocketOption.SoKeepalive, SocketOption.TcpLinger2, SocketOption.TcpKeepIdle, SocketOption.TcpUserTimeout])
            {
                Do(AgentOp.SetSockOpt, "a", q => { q.Option = o; q.On = true; q.N = 1; });
            }

            Do(AgentOp.Shutdown, "a", q => q.N = 2);
            Do(AgentOp.Send, "a", q => q.N = 1); // EPIPE
            Do(AgentOp.Close, "x"); // an unknown name
            foreach (string s in (string[])["c", "a"])
            {
                Do(AgentOp.SetSockOpt, s, q => { q.Option = SocketOption.SoLinger; q.On = true; });
                Do(AgentOp.Close, s);
            }

            Do(AgentOp.Close, "l");
            Do(AgentOp.Connect, "r", q => { q.Address = "127.0.0.1"; q.Port = port; }); // ECONNREFUSED
            Do(AgentOp.Close, "r");
        }

        WarmUpBoard();
        JsonSerializer.Deserialize("{\"id\":1,\"op\":\"info\"}", AgentJson.Default.AgentRequest);
        JsonSerializer.Deserialize("{\"id\":1,\"op\":\"listen\",\"sock\":\"L\",\"port\":1,\"addr\":\"127.0.0.1\",\"n\":1,\"listener\":\"L\",\"opt\":\"SoLinger\",\"on\":true}", AgentJson.Default.AgentRequest);
    }

    /// <summary>
    /// Waits on and marks a board of its own once, through a <see cref="BoardCache"/>: the first wait of a run otherwise
    /// compiled its code while the line waited (0.3 ms after the line it followed had ended).
    /// </summary>
    private static void WarmUpBoard()
    {
        using InstantBoard own = InstantBoard.Create(2);
        using var cache = new BoardCache();
        InstantBoard mapped = cache.For(own.Path)!;
        mapped.Mark(1, MonotonicClock.NowNs());
        int[] after = [1];
        mapped.Wait(after, MonotonicClock.NowNs() + 1_000_000, DueSpinNs);
        mapped.Wait([0], MonotonicClock.NowNs() + 100_000, 50_000); // never marked: the spin, then the poll until the deadline
        _ = mapped.Read(0);
    }

    private static void RunCalls(BlockingCollection<AgentRequest> calls, SocketTable table, ResponseWriter writer, bool realTime)
    {
        SchedulingBoost.RealTimeIf(realTime, SchedulingBoost.CallPriority);
        using var boards = new BoardCache();
        long lastEnd = 0;
        foreach (AgentRequest q in calls.GetConsumingEnumerable())
        {
            WaitUntilDue(q.DueNs, realTime);
            var r = new AgentResponse { Id = q.Id };
            InstantBoard? board = null;
            try
            {
                board = boards.For(q.Board);

                // After its time and the agent's previous call, the call waits for the lines before it at its instant.
                long ready = Math.Max(q.DueNs, lastEnd);
                if (board is not null && q.After is { Length: > 0 } after) ready = Math.Max(ready, board.Wait(after, q.GateNs, DueSpinNs).AtNs);
                r.ReadyNs = ready;
                r.StartNs = MonotonicClock.NowNs();
                table.Execute(q, r);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IOException or UnauthorizedAccessException)
            {
                r.StartNs = r.StartNs == 0 ? MonotonicClock.NowNs() : r.StartNs;
                r.Fail(AgentFault.BadArgument, e.Message);
            }

            r.EndNs = MonotonicClock.NowNs();
            lastEnd = r.EndNs;

            // Marked before the reply is written: a line of another host waiting for this one starts now, not after the reply's trip.
            if (board is not null && q.Slot > 0 && q.Slot < board.Slots) board.Mark(q.Slot, r.EndNs);
            writer.Write(r);
        }
    }

    /// <summary>The board of the run being played (a new run's requests name a new one; the old is unmapped).</summary>
    private sealed class BoardCache : IDisposable
    {
        private InstantBoard? _current;

        public InstantBoard? For(string? path)
        {
            if (path is null) return null;
            if (_current?.Path == path) return _current;
            _current?.Dispose();
            _current = null;
            _current = InstantBoard.Open(path);
            return _current;
        }

        public void Dispose() => _current?.Dispose();
    }

    /// <summary>
    /// Waits for a request's due instant. A real-time call thread (a run alone) sleeps to <see cref="DueSpinNs"/>
    /// before it and spins the rest: waking a virtual CPU from idle took 0.1 ms at the median and 2–3 ms at the
    /// 99th percentile on the 2-core test VM. Without real-time priority (runs side by side) it only sleeps, so as
    /// not to hold a core other runs need.
    /// </summary>
    private static void WaitUntilDue(long dueNs, bool realTime)
    {
        if (dueNs <= MonotonicClock.NowNs()) return;
        if (realTime) Linux.Interop.MonotonicSleep.UntilSpinningYielding(dueNs, DueSpinNs);
        else Linux.Interop.MonotonicSleep.Until(dueNs);
    }

    /// <summary>How long before a due instant a real-time call thread stops sleeping and spins.</summary>
    internal const long DueSpinNs = 2_000_000;

    /// <summary>Serialises responses from the reader and the call thread onto one stream, one line each.</summary>
    private sealed class ResponseWriter(Stream output)
    {
        private readonly Lock _lock = new();

        public void Write(AgentResponse r)
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(r, AgentJson.Default.AgentResponse);
            lock (_lock)
            {
                output.Write(json);
                output.WriteByte((byte)'\n');
                output.Flush();
            }
        }
    }
}
