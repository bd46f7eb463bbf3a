using System.Globalization;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// Durations (<c>3</c>, <c>0.2</c>, <c>200ms</c>, <c>10us</c>; default unit seconds) and integers, parsed
/// with the invariant culture and a strict grammar (no exponents, no thousands separators, no signs
/// unless asked), so that a file means the same thing on every machine.
/// </summary>
internal static class NumberSyntax
{
    public const string DurationExamples = "a duration (e.g. 3, 0.2, 200ms, 10us)";

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        (string digits, long ticksPerUnit) = SplitUnit(text);
        if (!IsPlainDecimal(digits)) return false;
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value)) return false;

        // Checked before multiplying: a long run of digits would overflow decimal itself.
        if (value > TimeSpan.MaxValue.Ticks / ticksPerUnit) return false;
        decimal ticks = Math.Round(value * ticksPerUnit, MidpointRounding.AwayFromZero);
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Parses a duration token or fails with "expected {what}, found …".</summary>
    public static TimeSpan Duration(Token token, string what = DurationExamples) =>
        TryParseDuration(token.Text, out TimeSpan d) && !token.Quoted ? d : throw TokenCursor.Fail(token, what);

    /// <summary>Decimal digits, optionally preceded by '-' when <paramref name="allowNegative"/>.</summary>
    public static bool TryParseInteger(string text, bool allowNegative, out long value)
    {
        value = 0;
        ReadOnlySpan<char> s = text;
        if (allowNegative && s.StartsWith("-")) s = s[1..];
        if (s.Length == 0) return false;
        foreach (char c in s)
        {
            if (c is < '0' or > '9') return false;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An integer within [min, max] or a failure naming the range.</summary>
    public static long Integer(Token token, string what, long min, long max)
    {
        if (!token.Quoted && TryParseInteger(token.Text, min < 0, out long v) && v >= min && v <= max) return v;
        string range = max == long.MaxValue
            ? min == 0 ? "a whole number >= 0" : string.Create(CultureInfo.InvariantCulture, $"a whole number >= {min}")
            : string.Create(CultureInfo.InvariantCulture, $"a whole number {min}..{max}");
        throw TokenCursor.Fail(token, $"{what} ({range})");
    }

    /// <summary>Seconds with millisecond precision, or microsecond precision when it matters: <c>1.250s</c>, <c>0.000125s</c>.</summary>
    public static string FormatSeconds(TimeSpan t)
    {
        string format = t.Ticks % TimeSpan.TicksPerMillisecond == 0 ? "0.000" : "0.000000";
        return t.TotalSeconds.ToString(format, CultureInfo.InvariantCulture) + "s";
    }

    private static (string Digits, long TicksPerUnit) SplitUnit(string text)
    {
        if (text.EndsWith("us", StringComparison.OrdinalIgnoreCase)) return (text[..^2], 10);
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase)) return (text[..^2], TimeSpan.TicksPerMillisecond);
        if (text.EndsWith('s') || text.EndsWith('S')) return (text[..^1], TimeSpan.TicksPerSecond);
        return (text, TimeSpan.TicksPerSecond);
    }

    /// <summary>Digits with at most one '.', starting and ending with a digit (<c>0.5</c>, not <c>.5</c> or <c>5.</c>).</summary>
    private static bool IsPlainDecimal(string s)
    {
        if (s.Length == 0 || !char.IsAsciiDigit(s[0]) || !char.IsAsciiDigit(s[^1])) return false;
        int dots = 0;
        foreach (char c in s)
        {
            if (c == '.') dots++;
            else if (!char.IsAsciiDigit(c)) return false;
        }

        return dots <= 1 && s.Length <= 30;
    }
}
