using System.Globalization;

namespace Teardown.Cli.Commands;

/// <summary>Parses durations such as "2s", "500ms", "1m", "1.5s" (a bare number means seconds).</summary>
internal static class WatchInterval
{
    internal static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || n <= 0 || double.IsInfinity(n)) return false;
        value = TimeSpan.FromSeconds(n * scale);
        return value >= TimeSpan.FromMilliseconds(100);
    }
}
