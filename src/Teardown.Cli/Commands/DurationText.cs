using System.Globalization;

namespace Teardown.Cli.Commands;

/// <summary>
/// Durations as people type them: "500ms", "2s", "1.5s", "1m30s", "10h", "1h15m" (a bare number
/// means seconds). Units may repeat only from larger to smaller, as in Go's time.ParseDuration.
/// </summary>
internal static class DurationText
{
    private static readonly (string Unit, double Seconds)[] Units = [("h", 3600), ("ms", 0.001), ("m", 60), ("s", 1)];

    internal static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var rest = text.Trim().AsSpan();
        if (double.TryParse(rest, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bare))
        {
            return FromSeconds(bare, out value);
        }

        double total = 0, lastScale = double.MaxValue;
        while (!rest.IsEmpty)
        {
            int digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.')) digits++;
            if (digits == 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n)) return false;
            rest = rest[digits..];
            double scale = 0;
            foreach (var (unit, seconds) in Units)
            {
                // "m" must not take the "m" of "ms".
                if (rest.StartsWith(unit, StringComparison.Ordinal) && !(unit == "m" && rest.StartsWith("ms", StringComparison.Ordinal)))
                {
                    scale = seconds;
                    rest = rest[unit.Length..];
                    break;
                }
            }

            if (scale == 0 || scale >= lastScale) return false;
            lastScale = scale;
            total += n * scale;
        }

        return FromSeconds(total, out value);
    }

    private static bool FromSeconds(double seconds, out TimeSpan value)
    {
        value = default;
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2) return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>"1m30s", "500ms", "2h": the shortest exact text.</summary>
    internal static string Format(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1)) return $"{d.TotalMilliseconds:0.###}ms";
        var parts = new List<string>();
        if (d.Hours + d.Days * 24 > 0) parts.Add($"{(int)d.TotalHours}h");
        if (d.Minutes > 0) parts.Add($"{d.Minutes}m");
        double s = d.Seconds + d.Milliseconds / 1000.0;
        if (s > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{s:0.###}s"));
        return string.Concat(parts);
    }
}
