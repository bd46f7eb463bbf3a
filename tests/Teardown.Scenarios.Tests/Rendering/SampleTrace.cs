using Teardown.Model;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Tests.Rendering;

/// <summary>A small hand-built trace with one entry of every kind.</summary>
internal static class SampleTrace
{
    // Lines: 5 listen, 6 connect, 7 accept, 8 net drop, 9 expect C, 10 expect counter, 11 expect packets, 12 close, 13 send (never performed).
    public const string Text = """
        scenario "sample"
        host client
        host server

        0 server listen L 80
        0 client connect C server:80 = 0
        +0.01 server accept S L = 0
        1 net drop client->server
        1.25 expect C FIN_WAIT2 timer=timewait
        +0 expect server counter TCPAbortOnData 1
        +0 expect packets client->server S .
        2...3 client close C = 0
        4 server send S 1 = 1
        """;

    public static TraceBuilder Build()
    {
        var b = new TraceBuilder(Text);
        b.Call(5, CallOutcome.Ok())
            .Add(new TransitionTraced(TimeSpan.Zero, "server", "L", null, TcpState.Listen, "listen"))
            .Call(6, CallOutcome.Ok(), 0.001)
            .Add(new SegmentTraced(TimeSpan.Zero, "client", "server", "C", TcpFlags.Syn, 0, 0, 0, 64240, false))
            .Add(new TimerTraced(TimeSpan.Zero, "client", "C", TimerKind.Retransmit, TimerAction.Armed, TraceBuilder.Seconds(1)))
            .Add(new TransitionTraced(TimeSpan.FromMilliseconds(1), "client", "C", TcpState.SynSent, TcpState.Established, "SYN-ACK"))
            .Call(7, CallOutcome.Ok())
            .Add(new NetworkEventTraced(TraceBuilder.Seconds(1), b.Line(8)))
            .Add(new SegmentTraced(TraceBuilder.Seconds(1.1), "client", "server", "C", TcpFlags.Fin | TcpFlags.Ack, 1, 1, 0, 502, true))
            .Add(new TransitionTraced(TraceBuilder.Seconds(1.2), "client", "C", TcpState.FinWait1, TcpState.FinWait2, "ACK of our FIN"))
            .Add(new CounterTraced(TraceBuilder.Seconds(1.2), "server", "TCPAbortOnData", 1))
            .Observe(9, TraceBuilder.End(TcpState.FinWait2, TimerKind.Keepalive, 0.5))
            .Observe(10, new CounterObservation(1))
            .Observe(11, new PacketsObservation([TcpFlags.Syn, TcpFlags.Ack]))
            .Add(new NoteTraced(TraceBuilder.Seconds(1.5), "transitions by polling"))
            .Call(12, CallOutcome.Ok(), 3.01)
            .Add(new TransitionTraced(TraceBuilder.Seconds(3), "client", "C", TcpState.FinWait2, null, "reaped"));
        return b;
    }
}
