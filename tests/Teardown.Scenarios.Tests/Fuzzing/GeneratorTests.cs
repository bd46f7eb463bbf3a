using CsCheck;
using Teardown.Scenarios.Fuzzing;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Fuzzing;

/// <summary>The generator writes valid scenarios of the promised shape, the same ones for the same seed.</summary>
public sealed class GeneratorTests
{
    private static readonly Gen<ulong> Seeds = Gen.ULong;

    [Fact]
    public void EveryGeneratedScenario_ParsesWithoutDiagnostics() =>
        Seeds.Sample(seed =>
        {
            ParseResult parsed = ScenarioGenerator.Generate(seed).Parse("gen.scn");
            Assert.True(parsed.Diagnostics.Count == 0, string.Join('\n', parsed.Diagnostics) + "\n" + ScenarioGenerator.Generate(seed).Render());
        }, iter: 2000, print: s => $"seed={s}");

    [Fact]
    public void SameSeed_SameText() =>
        Seeds.Sample(seed => ScenarioGenerator.Generate(seed).Render() == ScenarioGenerator.Generate(seed).Render(), iter: 200);

    [Fact]
    public void Scenarios_HaveTwoToThreeHosts_OneToFourConnections_AndObserveEveryEnd() =>
        Seeds.Sample(seed =>
        {
            Scenario s = ScenarioGenerator.Generate(seed).TryParse("gen.scn")!;
            Assert.InRange(s.Hosts.Count, 2, 3);
            Assert.InRange(s.Sockets.Values.Count(x => x.Role == SocketRole.Connector), 1, 4);
            var observed = s.Timeline.Select(l => l.Statement).OfType<ExpectSocket>().Select(e => e.Socket).ToHashSet();
            Assert.True(observed.IsSupersetOf(s.Sockets.Values.Where(x => x.Role != SocketRole.Listener).Select(x => x.Name))
                || s.Timeline[^1].Statement is not Expectation, "the last sweep observes every connection end");
        }, iter: 500, print: s => $"seed={s}");

    [Fact]
    public void CallsAndEvents_NeverShareAnInstant_AndLinesAreAtLeastTheResolutionApart() =>
        Seeds.Sample(seed =>
        {
            var options = new FuzzOptions();
            ScenarioDraft d = ScenarioGenerator.Generate(seed, options);
            for (int i = 1; i < d.Lines.Count; i++)
            {
                TimeSpan gap = d.Lines[i].At - d.Lines[i - 1].At;
                bool bothObservations = d.Lines[i].Statement.StartsWith("expect", StringComparison.Ordinal)
                    && d.Lines[i - 1].Statement.StartsWith("expect", StringComparison.Ordinal);
                Assert.True(gap >= options.Resolution || (gap == TimeSpan.Zero && bothObservations),
                    $"line {i}: {d.Lines[i - 1].Statement} then {d.Lines[i].Statement} {gap.TotalMilliseconds} ms later");
            }
        }, iter: 500, print: s => $"seed={s}");
}
