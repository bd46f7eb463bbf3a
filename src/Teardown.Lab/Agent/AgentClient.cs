using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Teardown.Linux.Interop;

namespace Teardown.Lab.Agent;

/// <summary>The agent process died while requests were outstanding (or before answering).</summary>
public sealed class AgentExitedException(string message) : Exception(message);

/// <summary>
/// The runner's side of one agent: starts <c>ip netns exec NS COMMAND agent</c> (ip execs the command,
/// so the process id is the agent's), sends requests and matches responses by id.
/// </summary>
internal sealed class AgentClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<AgentResponse>> _pending = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();
    private readonly Lock _writeLock = new();
    private readonly Thread _readLoop;
    private readonly Thread _errLoop;
    private long _nextId;
    private volatile bool _exited;

    private readonly bool _realTime;

    private AgentClient(Process process, bool realTime)
    {
        _process = process;
        _realTime = realTime;

        // Dedicated threads with blocking reads: on Unix, async reads of a child's pipes occupy a
        // thread-pool thread each, and a few agents would starve the pool that drives the timeline.
        _readLoop = new Thread(ReadLoop) { IsBackground = true, Name = "agent stdout " + process.Id };
        _errLoop = new Thread(() =>
        {
            try
            {
                while (process.StandardError.ReadLine() is { } l) lock (_stderr) _stderr.AppendLine(l);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process object was disposed while reading: the agent is gone either way.
            }
        }) { IsBackground = true, Name = "agent stderr " + process.Id };
        _readLoop.Start();
        _errLoop.Start();
    }

    /// <summary>The agent's process id (inside and outside the namespace alike: only the netns differs).</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process has exited (killed or crashed).</summary>
    public bool HasExited => _exited;

    /// <summary>Starts an agent in namespace <paramref name="ns"/> and waits until it reports ready.</summary>
    /// <param name="realTime">Whether the agent's threads and this client's reply reader run SCHED_FIFO (KernelTargetOptions.RealTime).</param>
    public static async Task<AgentClient> StartAsync(string ns, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken ct, bool warmUp = true, bool realTime = true)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["netns", "exec", ns, .. command, "agent"]) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_TieredPGO"] = "0";
        // No tiering: promoting methods to tier 1 suspends the runtime (call counting), which stopped a real-time call
        // thread waiting for its instant for a few hundred microseconds; everything is compiled once, fully, up front.
        psi.Environment["DOTNET_TieredCompilation"] = "0";
        // An agent restarted after `kill` must not warm up: its loopback connection would count in the
        // host's counters in the middle of the scenario.
        if (!warmUp) psi.Environment["TEARDOWN_AGENT_WARMUP"] = "0";
        psi.Environment["DOTNET_gcServer"] = "0";
        if (!realTime) psi.Environment[AgentProgram.RealTimeVariable] = "0";
        Process p = Process.Start(psi) ?? throw new IOException("cannot start agent");
        var client = new AgentClient(p, realTime);
        try
        {
            await client._ready.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    /// <summary>Sends a request and waits for its response (or the agent's death, or the timeout).</summary>
    public async Task<AgentResponse> CallAsync(AgentRequest request, TimeSpan timeout, CancellationToken ct)
    {
        request.Id = Interlocked.Increment(ref _nextId);
        // Continuations run on the reply reader's (dedicated) thread: the caller resumes without a pool hop.
        var tcs = new TaskCompletionSource<AgentResponse>();
        _pending[request.Id] = tcs;
        if (_exited) throw new AgentExitedException(ExitMessage());
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(request, AgentJson.Default.AgentRequest);
        try
        {
            lock (_writeLock)
            {
                Stream s = _process.StandardInput.BaseStream;
                s.Write(json);
                s.WriteByte((byte)'\n');
                s.Flush();
            }
        }
        catch (IOException)
        {
            throw new AgentExitedException(ExitMessage());
        }

        try
        {
            return await tcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(request.Id, out _);
        }
    }

    /// <summary>Sends SIGKILL (a real process death: the kernel closes every descriptor as on exit); returns when it was sent.</summary>
    public long Signal()
    {
        if (!_exited) Libc.kill(_process.Id, LinuxConstants.SIGKILL);
        return Wire.MonotonicClock.NowNs();
    }

    /// <summary>SIGKILLs the agent and waits (up to 5 s) for it to exit; returns when the signal was sent.</summary>
    public async Task<long> KillAsync()
    {
        long signalled = Signal();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Still alive after SIGKILL and 5 s: leave it to the namespace cleanup's pid sweep.
        }

        return signalled;
    }

    /// <remarks>
    /// Real-time like the agents (when they are): lines of one instant wait for each other on the run's board, not for
    /// replies, but a host's calls after a connect, and the runner's lines naming a socket, still wait for the replies
    /// before them; as an ordinary thread the reader was starved by agents spinning for lines 1 ms apart.
    /// </remarks>
    private void ReadLoop()
    {
        SchedulingBoost.RealTimeIf(_realTime, SchedulingBoost.CallPriority);
        try
        {
            StreamReader r = _process.StandardOutput;
            while (r.ReadLine() is { } line)
            {
                AgentResponse? resp;
                try
                {
                    resp = JsonSerializer.Deserialize(line, AgentJson.Default.AgentResponse);
                }
                catch (JsonException)
                {
                    continue; // not ours (e.g. runtime banner); the agent only writes protocol lines
                }

                if (resp is null) continue;
                if (resp.Id == 0) _ready.TrySetResult();
                else if (_pending.TryGetValue(resp.Id, out var tcs)) tcs.TrySetResult(resp);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposed while reading: treated as the agent's exit below.
        }
        finally
        {
            _exited = true;
            var e = new AgentExitedException(ExitMessage());
            _ready.TrySetException(e);
            foreach (var kv in _pending) kv.Value.TrySetException(e);
        }
    }

    private string ExitMessage()
    {
        lock (_stderr) return $"agent (pid {_process.Id}) exited" + (_stderr.Length > 0 ? ": " + _stderr.ToString().Trim() : "");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        await KillAsync().ConfigureAwait(false);
        _readLoop.Join(TimeSpan.FromSeconds(2));
        _errLoop.Join(TimeSpan.FromSeconds(2));
        _process.Dispose();
    }
}
