using CsCheck;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Fuzzing;
using Teardown.Scenarios.Running;

namespace Teardown.Scenarios.Tests.Fuzzing;

/// <summary>
/// The model's properties over the fuzzer's scenarios (issue 11): determinism, timers that make progress,
/// counters that follow the transitions, and nothing held forever once every process has exited.
/// </summary>
public sealed class GeneratedModelProperties
{
    private static readonly Gen<ulong> Seeds = Gen.ULong;

    [Fact]
    public void EveryPropertyHolds_OnGeneratedScenarios() =>
        Seeds.Sample(seed =>
        {
            FuzzCase? c = FuzzCase.Make(seed, FuzzOptions.Short);
            if (c is null) return;
            IReadOnlyList<string> problems = ModelChecks.Check(c.Draft);
            Assert.True(problems.Count == 0, string.Join('\n', problems) + "\n" + c.Draft.Render());
        }, iter: 300, print: s => $"seed={s}");

    [Fact]
    public void SettledScenarios_AreAnnotatedWithWhatTheModelDoes_SoTheyPassOnTheModel() =>
        Seeds.Sample(seed =>
        {
            FuzzCase? c = FuzzCase.Make(seed, FuzzOptions.Short);
            if (c is null) return;
            var failed = ExpectationChecker.Check(new ModelTarget().Play(c.Scenario)).Where(v => !v.Passed).ToList();
            Assert.True(failed.Count == 0, string.Join('\n', failed.Select(v => $"{v.Line.Text}: observed {v.Observed}")) + "\n" + c.Draft.Render());
        }, iter: 200, print: s => $"seed={s}");

    [Fact]
    public void MostSeeds_Settle()
    {
        int settled = Enumerable.Range(1, 100).Count(i => FuzzCase.Make((ulong)i, FuzzOptions.Short) is not null);
        Assert.True(settled >= 90, $"{settled} of 100 seeds settled");
    }
}
