using Teardown.Scenarios.Fuzzing;

namespace Teardown.Scenarios.Tests.Fuzzing;

/// <summary>The race guard moves lines off the instants where the kernel's own work could go either way.</summary>
public sealed class RaceGuardTests
{
    private static readonly FuzzOptions Options = new();

    private static ScenarioDraft Draft(IReadOnlyList<string> header, params (double At, string Statement)[] lines) =>
        new("race", header, lines.Select(l => new DraftLine(TimeSpan.FromSeconds(l.At), l.Statement)).ToList());

    private static TimeSpan At(ScenarioDraft d, string statementStart) => d.Lines.First(l => l.Statement.StartsWith(statementStart, StringComparison.Ordinal)).At;

    [Fact]
    public void An_accept_at_the_instant_the_handshake_completes_moves_away_from_it()
    {
        // Over a 20 ms link the client's ACK reaches the server 60 ms after connect: at 0.11, where the accept is.
        ScenarioDraft d = Draft(["host a", "host b", "link a b delay=20ms"],
            (0, "b listen L 8080"), (0.05, "a connect C b:8080"), (0.11, "b accept S L"), (0.2, "expect S ESTABLISHED"));
        ScenarioDraft settled = RaceGuard.Settle(d, Options)!;
        Assert.True((At(settled, "b accept") - TimeSpan.FromSeconds(0.11)).Duration() >= Options.Resolution / 2, settled.Render());
    }

    [Fact]
    public void An_observation_just_after_a_timer_deadline_waits_for_the_timer_wheel()
    {
        // tcp_fin_timeout=1: the orphan's timewait timer is due at 1.1 s; the kernel may fire it ~40 ms later.
        ScenarioDraft d = Draft(["host a", "host b", "sysctl a net.ipv4.tcp_fin_timeout=1"],
            (0, "b listen L 8080"), (0.05, "a connect C b:8080"), (0.1, "b accept S L"), (0.15, "a close C"), (1.17, "expect C GONE"));
        ScenarioDraft settled = RaceGuard.Settle(d, Options)!;
        Assert.True(At(settled, "expect C") >= TimeSpan.FromSeconds(1.15 + 0.04), settled.Render());
    }

    [Fact]
    public void A_scenario_without_races_is_left_as_it_is()
    {
        ScenarioDraft d = Draft(["host a", "host b"],
            (0, "b listen L 8080"), (0.05, "a connect C b:8080"), (0.1, "b accept S L"), (0.2, "a close C"), (0.3, "expect C FIN_WAIT2"));
        Assert.Equal(d.Render(), RaceGuard.Settle(d, Options)!.Render());
    }
}
