using Teardown.Doctor.Findings;
using Teardown.Doctor.Forecast;

namespace Teardown.Doctor.WhatIf;

/// <summary>How a change moves the end of a finding's sockets.</summary>
public enum Effect : byte
{
    /// <summary>The model has no story for this class: nothing is claimed.</summary>
    NotModelled,
    /// <summary>Same end, same time, same thing seen by the peer.</summary>
    None,
    /// <summary>Freed sooner.</summary>
    Sooner,
    /// <summary>Freed later.</summary>
    Later,
    /// <summary>Never freed before; freed with the change.</summary>
    Ends,
    /// <summary>Freed before; never with the change.</summary>
    NeverEnds,
    /// <summary>Same time, but the peer sees something else (a RST instead of nothing, say).</summary>
    Different,
}

/// <summary>A before/after pair of model runs and the effect between them.</summary>
/// <param name="Before">Under the settings in effect.</param>
/// <param name="After">With the change.</param>
public sealed record Comparison(Outcome Before, Outcome After)
{
    /// <summary>The effect of the change, judged on when the socket ends and what the peer sees.</summary>
    public Effect Effect => (Before.ReapedAfter, After.ReapedAfter) switch
    {
        (null, null) => Effect.None,
        (null, _) => Effect.Ends,
        (_, null) => Effect.NeverEnds,
        (TimeSpan b, TimeSpan a) when a < b - Tolerance => Effect.Sooner,
        (TimeSpan b, TimeSpan a) when a > b + Tolerance => Effect.Later,
        _ => Before.PeerSees != After.PeerSees || Before.EndedBy != After.EndedBy ? Effect.Different : Effect.None,
    };

    // Differences below a jiffy-scale are not effects (the model's clock is exact; the kernel's timer wheel is not).
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// What a change would do to one finding: to the sockets there now (the model seeded with the one expected to
/// last longest) and to new sockets of the same kind from now on, with the reasons in words.
/// </summary>
/// <param name="Number">The finding's number, as the doctor printed it.</param>
/// <param name="Finding">The finding.</param>
/// <param name="Existing">The sockets there now, before and after (null when not modelled).</param>
/// <param name="Fresh">A new socket of the same kind, from the call that makes it, before and after (null when not modelled).</param>
/// <param name="Notes">Why, what the change cannot reach, side effects, and what would help instead.</param>
public sealed record WhatIfAnswer(int Number, Finding Finding, Comparison? Existing, Comparison? Fresh, IReadOnlyList<string> Notes)
{
    /// <summary>The effect on the sockets there now.</summary>
    public Effect Effect => Existing?.Effect ?? Effect.NotModelled;

    /// <summary>The effect on new sockets of this kind.</summary>
    public Effect FreshEffect => Fresh?.Effect ?? Effect.NotModelled;
}

/// <summary>A what-if over a whole report.</summary>
/// <param name="Change">What was asked.</param>
/// <param name="Answers">One per finding, in the doctor's order.</param>
/// <param name="Ports">Port-range forecasts per destination, when the change touches ports.</param>
public sealed record WhatIfReport(SettingChange Change, IReadOnlyList<WhatIfAnswer> Answers, IReadOnlyList<string> Ports);

/// <summary>Stable ids and words for effects.</summary>
public static class EffectNames
{
    /// <summary>kebab-case id.</summary>
    public static string Id(this Effect effect) => effect switch
    {
        Effect.NotModelled => "not-modelled",
        Effect.None => "no-effect",
        Effect.Sooner => "sooner",
        Effect.Later => "later",
        Effect.Ends => "ends",
        Effect.NeverEnds => "never-ends",
        _ => "different",
    };

    /// <summary>How an outcome reads: "never", "within 58 s".</summary>
    public static string When(Outcome o) => o.ReapedAfter is TimeSpan t ? (t < TimeSpan.FromMilliseconds(50) ? "at once" : "in " + Reap.Format(t)) : "never";
}
