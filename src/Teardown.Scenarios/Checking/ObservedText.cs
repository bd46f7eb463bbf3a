using Teardown.Model;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Checking;

/// <summary>Writes expectations and observations back in scenario notation, so verdicts read like the file.</summary>
public static class ObservedText
{
    public static string State(TcpState? state) => state?.ToLinuxName() ?? "GONE";

    /// <summary>The attributes an expectation wrote, in the order the format lists them.</summary>
    public static string Expected(ExpectSocket e)
    {
        var parts = new List<string> { State(e.State) };
        if (e.Timer is { } timer) parts.Add("timer=" + timer.ToScenarioName());
        if (e.Expires is { } expires) parts.Add("expires=" + Syntax.Parsing.NumberSyntax.FormatSeconds(expires));
        if (e.RecvQ is { } recvq) parts.Add(FormattableString.Invariant($"recvq={recvq}"));
        if (e.SendQ is { } sendq) parts.Add(FormattableString.Invariant($"sendq={sendq}"));
        if (e.Orphan is { } orphan) parts.Add("orphan=" + (orphan ? "yes" : "no"));
        return string.Join(' ', parts);
    }

    /// <summary>The observation, showing the same attributes the expectation wrote (all of them when <paramref name="like"/> is null).</summary>
    public static string Observed(EndObservation o, ExpectSocket? like = null)
    {
        var parts = new List<string> { State(o.State) };
        if (like is null || like.Timer is not null) parts.Add("timer=" + o.Timer.ToScenarioName());
        if (like is null || like.Expires is not null) parts.Add("expires=" + (o.Expires is { } x ? Syntax.Parsing.NumberSyntax.FormatSeconds(x) : "none"));
        if (like is null || like.RecvQ is not null) parts.Add(FormattableString.Invariant($"recvq={o.RecvQ}"));
        if (like is null || like.SendQ is not null) parts.Add(FormattableString.Invariant($"sendq={o.SendQ}"));
        if (like is null || like.Orphan is not null) parts.Add("orphan=" + (o.Orphan ? "yes" : "no"));
        return string.Join(' ', parts);
    }

    public static string Flags(IReadOnlyList<TcpFlags> flags) =>
        flags.Count == 0 ? "(none)" : string.Join(' ', flags.Select(f => f.ToNotation()));

    public static string Observation(Observation observation) => observation switch
    {
        EndObservation e => Observed(e),
        CounterObservation c => FormattableString.Invariant($"{c.Value}"),
        PacketsObservation p => Flags(p.Flags),
        _ => observation.ToString() ?? "",
    };
}
