namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>When a timed line happens: its start and, for blocking calls, when it must return.</summary>
internal readonly record struct TimeSpec(TimeSpan At, TimeSpan? ReturnsAt, int ReturnsColumn);

/// <summary>
/// The TIME of a timed line: absolute (<c>1.5</c>, <c>200ms</c>), relative to the previous timed line's
/// time (<c>+0.1</c>), or blocking <c>START...END</c>. START may itself be relative; as an extension END may
/// be written <c>+DUR</c>, relative to START (<c>+0...+3</c>).
/// </summary>
internal static class TimeSpecParser
{
    public const string Examples = "a time (e.g. 0, 1.5, +0.1, 200ms, 0.5...3.5)";

    /// <summary>Whether the first token of a line looks like a time (so the line is a timed line).</summary>
    public static bool LooksLikeTime(Token token) =>
        !token.Quoted && token.Text.Length > 0 && (char.IsAsciiDigit(token.Text[0]) || token.Text[0] == '+');

    public static TimeSpec Parse(Token token, TimeSpan previous)
    {
        string text = token.Text;
        int dots = text.IndexOf("...", StringComparison.Ordinal);
        if (dots < 0)
        {
            TimeSpan at = Point(text, token.Column, previous);
            CheckNotBackwards(at, previous, token.Column);
            return new TimeSpec(at, null, 0);
        }

        TimeSpan start = Point(text[..dots], token.Column, previous);
        CheckNotBackwards(start, previous, token.Column);
        int endColumn = token.Column + dots + 3;
        TimeSpan end = Point(text[(dots + 3)..], endColumn, start);
        if (end < start)
        {
            throw new LineSyntaxException(endColumn,
                $"expected an END time at or after START {NumberSyntax.FormatSeconds(start)}, found {NumberSyntax.FormatSeconds(end)}");
        }

        return new TimeSpec(start, end, endColumn);
    }

    private static TimeSpan Point(string text, int column, TimeSpan relativeTo)
    {
        bool relative = text.StartsWith('+');
        string number = relative ? text[1..] : text;
        if (!NumberSyntax.TryParseDuration(number, out TimeSpan value))
        {
            throw new LineSyntaxException(column, $"expected {Examples}, found {InputText.Quote(text)}");
        }

        if (relative && value > TimeSpan.MaxValue - relativeTo)
        {
            throw new LineSyntaxException(column, $"expected {Examples}, found {InputText.Quote(text)}, which is too far in the future");
        }

        return relative ? relativeTo + value : value;
    }

    private static void CheckNotBackwards(TimeSpan at, TimeSpan previous, int column)
    {
        if (at < previous)
        {
            throw new LineSyntaxException(column,
                $"expected a time at or after {NumberSyntax.FormatSeconds(previous)} (the previous timed line; times never decrease), found {NumberSyntax.FormatSeconds(at)}");
        }
    }
}
