using System.IO.Pipes;
using System.Net;
using System.Text;
using System.Text.Json;
using Teardown.Lab.Agent;
using Teardown.Lab.Wire;
using Teardown.Scenarios.Syntax;

namespace Teardown.Lab.Tests;

/// <summary>
/// The agent protocol end to end, in process, over pipes, on 127.0.0.1 of the test's own namespace
/// (no privilege needed): requests in, JSON lines out, real syscalls in between.
/// </summary>
public sealed class AgentProtocolTests : IDisposable
{
    private readonly AnonymousPipeServerStream _toAgent = new(PipeDirection.Out);
    private readonly AnonymousPipeServerStream _fromAgent = new(PipeDirection.In);
    private readonly StreamReader _responses;
    private readonly Task<int> _agent;
    private long _id;

    public AgentProtocolTests()
    {
        var agentIn = new AnonymousPipeClientStream(PipeDirection.In, _toAgent.ClientSafePipeHandle);
        var agentOut = new AnonymousPipeClientStream(PipeDirection.Out, _fromAgent.ClientSafePipeHandle);
        _agent = Task.Run(() => AgentProgram.RunAsync(agentIn, agentOut, CancellationToken.None));
        _responses = new StreamReader(_fromAgent, Encoding.UTF8);
    }

    private AgentResponse Call(AgentOp op, string? sock = null, Action<AgentRequest>? set = null)
    {
        var q = new AgentRequest { Id = ++_id, Op = op, Socket = sock };
        set?.Invoke(q);
        return Send(q.Id, JsonSerializer.Serialize(q, AgentJson.Default.AgentRequest));
    }

    private AgentResponse Send(long id, string json)
    {
        byte[] line = Encoding.UTF8.GetBytes(json + "\n");
        _toAgent.Write(line);
        _toAgent.Flush();
        string text = _responses.ReadLine() ?? throw new EndOfStreamException();
        AgentResponse r = JsonSerializer.Deserialize(text, AgentJson.Default.AgentResponse)!;
        Assert.Equal(id, r.Id);
        return r;
    }

    [Fact]
    public void Calls_RoundTrip_WithResultsErrnoEndpointsAndTimes()
    {
        AgentResponse ready = JsonSerializer.Deserialize(_responses.ReadLine()!, AgentJson.Default.AgentResponse)!;
        Assert.Equal(0, ready.Id);
        Assert.True(ready.StartNs > 0 && ready.StartNs <= MonotonicClock.NowNs(), "agent times are CLOCK_MONOTONIC like ours");

        AgentResponse l = Call(AgentOp.Listen, "L", q => q.Address = "127.0.0.1");
        Assert.Equal(0, l.Value);
        int port = IPEndPoint.Parse(l.Local!).Port;
        Assert.True(port > 0);
        Assert.Equal(-1, Call(AgentOp.Accept, "S", q => q.Listener = "L").Value); // nothing queued: non-blocking
        Assert.Equal(Errno.EAGAIN, Call(AgentOp.Accept, "S", q => q.Listener = "L").Errno);

        AgentResponse c = Call(AgentOp.Connect, "C", q => { q.Address = "127.0.0.1"; q.Port = port; });
        Assert.Equal(0, c.Value);
        Assert.Equal($"127.0.0.1:{port}", c.Remote);
        Assert.True(c.EndNs >= c.StartNs);
        AgentResponse a = Call(AgentOp.Accept, "S", q => q.Listener = "L");
        Assert.Equal(0, a.Value);
        Assert.Equal(c.Local, a.Remote);

        Assert.Equal(5, Call(AgentOp.Send, "C", q => q.N = 5).Value);
        Thread.Sleep(20);
        Assert.Equal(5, Call(AgentOp.Recv, "S", q => q.N = 10).Value);
        AgentResponse empty = Call(AgentOp.Recv, "S", q => q.N = 10);
        Assert.Equal((-1L, Errno.EAGAIN), (empty.Value, empty.Errno));

        AgentResponse info = Call(AgentOp.Info, "S");
        Assert.True(info.Held);
        Assert.Equal(TcpState.Established, info.State);
        Assert.True(info.Fd >= 1000, $"fd {info.Fd}"); // the placed descriptor, which `release` duplicates with pidfd_getfd
        Assert.False(Call(AgentOp.Info, "nobody").Held);
        Assert.Equal(0, Call(AgentOp.Info, "nobody").Fd);
        Assert.Equal(0, Call(AgentOp.SetSockOpt, "S", q => { q.Option = SocketOption.TcpLinger2; q.N = 5; }).Value);
        Assert.Equal(0, Call(AgentOp.Error, "S").Value);

        Assert.Equal(0, Call(AgentOp.Close, "C").Value);
        Thread.Sleep(20);
        Assert.Equal(0, Call(AgentOp.Recv, "S", q => q.N = 10).Value); // end of stream
        Assert.Equal(0, Call(AgentOp.Shutdown, "S", q => q.N = 1).Value);
        AgentResponse unknownSocket = Call(AgentOp.Close, "C");
        Assert.Equal((AgentFault.UnknownSocket, "unknown socket C"), (unknownSocket.Fault, unknownSocket.FaultMessage));
        AgentResponse unknownOp = Send(++_id, $$"""{"id":{{_id}},"op":"frobnicate","sock":"S"}""");
        Assert.Equal(AgentFault.UnknownOp, unknownOp.Fault);
        Assert.StartsWith("unknown op", unknownOp.FaultMessage, StringComparison.Ordinal);
        Assert.Equal(0, Call(AgentOp.Close, "S").Value);
        Assert.Equal(0, Call(AgentOp.Close, "L").Value);
    }

    [Fact]
    public void A_call_waits_for_the_lines_before_it_on_the_board_and_marks_its_own_end_before_replying()
    {
        _responses.ReadLine(); // ready
        using InstantBoard board = InstantBoard.Create(4);
        long due = MonotonicClock.NowNs() + 5_000_000;
        var marker = new Thread(() =>
        {
            Thread.Sleep(40);
            board.Mark(1, MonotonicClock.NowNs());
        });
        marker.Start();
        AgentResponse r = Call(AgentOp.Error, "nobody", q =>
        {
            q.DueNs = due;
            q.Board = board.Path;
            q.Slot = 2;
            q.After = [1];
            q.GateNs = due + 5_000_000_000;
        });
        marker.Join();

        Assert.Equal(board.Read(1), r.ReadyNs); // it could start when the line before it ended…
        Assert.True(r.StartNs >= r.ReadyNs);    // …and did not start before
        Assert.Equal(r.EndNs, board.Read(2));   // its own end is on the board
    }

    [Fact]
    public void A_call_stops_waiting_for_a_line_that_never_ends_at_its_gate()
    {
        _responses.ReadLine(); // ready
        using InstantBoard board = InstantBoard.Create(3);
        long gate = MonotonicClock.NowNs() + 30_000_000;
        AgentResponse r = Call(AgentOp.Error, "nobody", q =>
        {
            q.Board = board.Path;
            q.Slot = 2;
            q.After = [1];
            q.GateNs = gate;
        });

        Assert.Equal(gate, r.ReadyNs);
        Assert.True(r.StartNs >= gate);
        Assert.Equal(0, board.Read(1));
    }

    [Fact]
    public async Task ClosingStdin_EndsTheAgent()
    {
        _responses.ReadLine();
        _toAgent.Dispose();
        Assert.Equal(0, await _agent.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    public void Dispose()
    {
        _toAgent.Dispose();
        _agent.Wait(TimeSpan.FromSeconds(5));
        _responses.Dispose();
        _fromAgent.Dispose();
    }
}
