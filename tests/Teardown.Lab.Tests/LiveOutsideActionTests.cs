using Teardown.Model;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;
using Xunit.Abstractions;

namespace Teardown.Lab.Tests;

/// <summary>
/// <c>HOST release S</c> and <c>HOST destroy S</c> on the kernel: done by the lab process (pidfd_getfd +
/// shutdown, SOCK_DESTROY), at their time, and agreeing with the model.
/// </summary>
[Collection("live kernel")]
public sealed class LiveOutsideActionTests(ITestOutputHelper output)
{
    private const string ReleaseThenDestroy = """
        scenario "release a CLOSE_WAIT socket with unread data, then destroy the peer's TIME_WAIT"
        host client
        host server

        0       server listen L 8080
        0       client connect C server:8080          = 0
        +0.05   server accept S L                     = 0
        +0.05   client send C 5                       = 5
        +0.05   client close C                        = 0
        +0.1    expect S CLOSE_WAIT recvq=6
        +0.1    server release S                      = 0
        +0.1    expect S CLOSE orphan=no
        +0      expect C TIME_WAIT timer=timewait
        +0      expect packets server->client S. . . F.
        +0      server recv S 10                      = 5
        +0      server recv S 10                      = 0
        +0      client destroy C                      = 0
        +0.1    expect C GONE
        +0      expect packets client->server S . P. F. .
        +0      client destroy C                      = -1 ENOENT
        +0      server close S                        = 0
        +0      server release S                      = -1 EBADF
        """;

    [Fact]
    public async Task Release_and_destroy_hold_on_the_kernel_as_on_the_model()
    {
        if (!LiveKernel.Available(output)) return;
        ParseResult parsed = ScenarioParser.Parse(ReleaseThenDestroy, "release-then-destroy.scn");
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Diagnostics));
        Scenario scenario = parsed.Scenario!;

        ScenarioTrace kernel = await new KernelTarget().PlayAsync(scenario, CancellationToken.None);
        Trace.Dump(kernel, output);
        IReadOnlyList<Verdict> verdicts = ExpectationChecker.Check(kernel);
        Assert.All(verdicts, v => Assert.True(v.Passed, $"{v.Line.Text.Trim()}: expected {v.Expected}, observed {v.Observed}"));

        // Release sends a FIN and nothing else; no RST left the server at all.
        Assert.DoesNotContain(kernel.OfType<SegmentTraced>(), x => x.From == "server" && (x.Flags & TcpFlags.Rst) != 0);

        ScenarioTrace model = new ModelTarget().Play(scenario);
        IReadOnlyList<Verdict> onModel = ExpectationChecker.Check(model);
        Assert.All(onModel, v => Assert.True(v.Passed, $"model: {v.Line.Text.Trim()}: expected {v.Expected}, observed {v.Observed}"));
        Assert.Equal(onModel.Count, verdicts.Count);
        Assert.Empty(LiveKernel.OurNamespaces());
    }

    [Fact]
    public async Task Destroy_does_not_wait_for_the_hosts_blocked_close()
    {
        if (!LiveKernel.Available(output)) return;
        Scenario s = new ScenarioBuilder().Host("client").Host("server")
            .At(0, new ListenCall("server", "L", 8080, null))
            .At(0, new ConnectCall("client", "C", "server", 8080))
            .At(0.1, new AcceptCall("server", "S", "L"))
            .At(0.05, new SetSockOptCall("client", "C", SocketOption.SoLinger, true, 5))
            .At(0, new NetDrop("server", "client", false))
            .At(0, new CloseCall("client", "C"))              // blocks: the FIN is never acknowledged
            .At(0.5, new DestroyCall("client", "C"))
            .Expect(0.1, "C", null)
            .Build();
        ScenarioTrace trace = await new KernelTarget().PlayAsync(s, CancellationToken.None);
        Trace.Dump(trace, output);
        CallTraced destroy = trace.OfType<CallTraced>().Single(c => c.Line.Statement is DestroyCall);
        CallTraced close = trace.OfType<CallTraced>().Single(c => c.Line.Statement is CloseCall);
        Assert.Equal(CallOutcome.Ok(), destroy.Outcome);
        Assert.Equal(CallOutcome.Ok(), close.Outcome);
        Assert.True(destroy.At < TimeSpan.FromSeconds(0.7), $"destroy ran at {destroy.At}");
        Assert.True(close.Returned - destroy.At < TimeSpan.FromSeconds(0.05), $"close returned at {close.Returned}, destroy at {destroy.At}");
        Assert.Null(((EndObservation)trace.OfType<ObservationTraced>().Single().Observed).State);
        Assert.Contains(trace.OfType<SegmentTraced>(), x => x.From == "client" && (x.Flags & TcpFlags.Rst) != 0);
        Assert.Empty(LiveKernel.OurNamespaces());
    }
}
