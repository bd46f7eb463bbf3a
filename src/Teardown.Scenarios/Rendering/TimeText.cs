using System.Globalization;
using Teardown.Scenarios.Syntax.Parsing;

namespace Teardown.Scenarios.Rendering;

/// <summary>Times as renderers show them: seconds with a unit.</summary>
public static class TimeText
{
    /// <summary><c>1.250s</c>; microseconds are shown only when the time has them.</summary>
    public static string Seconds(TimeSpan t) => NumberSyntax.FormatSeconds(t);

    /// <summary>The time column of a timeline, right-aligned: <c>  1.250s</c>.</summary>
    public static string Column(TimeSpan t) =>
        t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(7) + "s";

    /// <summary>Seconds as a JSON number.</summary>
    public static double JsonSeconds(TimeSpan t) => t.Ticks / (double)TimeSpan.TicksPerSecond;
}
