using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Teardown.Lab.Wire;

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
    /// <summary>Runs the agent on the process's stdin/stdout; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using Stream input = Console.OpenStandardInput();
        using Stream output = Console.OpenStandardOutput();
        return RunAsync(input, output, CancellationToken.None);
    }

    /// <summary>Runs the agent protocol over the given streams (also used by in-process tests).</summary>
    public static async Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var table = new SocketTable();
        var writer = new ResponseWriter(output);
        Channel<AgentRequest> calls = Channel.CreateUnbounded<AgentRequest>(new UnboundedChannelOptions { SingleReader = true });
        var callThread = new Thread(() => RunCalls(calls.Reader, table, writer)) { IsBackground = true, Name = "agent calls" };
        callThread.Start();
        writer.Write(new AgentResponse { Id = 0, StartNs = MonotonicClock.NowNs() });

        using var reader = new StreamReader(input, new UTF8Encoding(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            AgentRequest? q = JsonSerializer.Deserialize(line, AgentJson.Default.AgentRequest);
            if (q is null) continue;
            switch (q.Op)
            {
                case "ping":
                    writer.Write(new AgentResponse { Id = q.Id, StartNs = MonotonicClock.NowNs() });
                    break;
                case "info":
                    var r = new AgentResponse { Id = q.Id, StartNs = MonotonicClock.NowNs() };
                    table.Info(q, r);
                    r.EndNs = MonotonicClock.NowNs();
                    writer.Write(r);
                    break;
                default:
                    calls.Writer.TryWrite(q);
                    break;
            }
        }

        calls.Writer.TryComplete();
        callThread.Join(TimeSpan.FromSeconds(1));
        return 0;
    }

    private static void RunCalls(ChannelReader<AgentRequest> calls, SocketTable table, ResponseWriter writer)
    {
        while (calls.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (calls.TryRead(out AgentRequest? q))
            {
                var r = new AgentResponse { Id = q.Id, StartNs = MonotonicClock.NowNs() };
                try
                {
                    table.Execute(q, r);
                }
                catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
                {
                    r.Fault = e.Message;
                }

                r.EndNs = MonotonicClock.NowNs();
                writer.Write(r);
            }
        }
    }

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
