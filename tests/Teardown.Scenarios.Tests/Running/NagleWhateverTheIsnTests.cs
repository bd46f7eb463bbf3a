using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Running;
using Teardown.Scenarios.Tests.Syntax;

namespace Teardown.Scenarios.Tests.Running;

/// <summary>
/// A write's last partial segment leaves with the rest when no small segment is in flight, whatever the ISN: the model
/// once started snd_sml at 0, which Nagle's Minshall check read as "a small segment unacknowledged" for half of all
/// ISNs (tcp_output.c:tcp_connect_init starts it at the ISN, tcp_minisocks.c:tcp_create_openreq_child at ISN + 1).
/// </summary>
public class NagleWhateverTheIsnTests
{
    private const string Scenario = """
        host a
        host c
        link a c delay=5ms
        0       c listen L 8080
        0       a connect C c:8080
        +0.02   c accept S L
        +0.1    a send C 3000
        +0      c send S 3000
        +0.003  expect packets a->c S . . P. P.
        +0      expect packets c->a S. . P. P.
        """;

    [Fact]
    public void The_partial_segment_of_either_ends_first_write_is_not_held_for_any_of_64_model_seeds()
    {
        var scenario = ParseAssert.Parses(Scenario);
        for (ulong seed = 1; seed <= 64; seed++)
        {
            var failed = ExpectationChecker.Check(new ModelTarget(seed).Play(scenario)).Where(v => !v.Passed).ToList();
            Assert.True(failed.Count == 0, $"seed {seed}: " + string.Join("; ", failed.Select(v => $"line {v.Line.Where.Line}: expected {v.Expected}, observed {v.Observed}")));
        }
    }
}
