using System.Globalization;

namespace Teardown.Cli.Output;

/// <summary>
/// How wide and tall output is: COLUMNS and LINES when set (as POSIX says they override the
/// terminal), else the terminal's own size, else — a pipe or a file — 80 × 24; <c>--wide</c>
/// lifts the width for pipes.
/// </summary>
public readonly record struct TerminalSize(int Columns, int Lines)
{
    /// <summary>What a pipe or a file gets: the classic terminal.</summary>
    public static readonly TerminalSize Default = new(80, 24);

    /// <summary>Narrower than this, tables cannot show a socket's address on one line.</summary>
    public const int MinColumns = 40;

    /// <summary>Decides the size from the environment and the terminal (null when not a terminal).</summary>
    public static TerminalSize Measure(string? columns, string? lines, (int Columns, int Lines)? window)
    {
        int w = Parse(columns) ?? window?.Columns ?? Default.Columns;
        int h = Parse(lines) ?? window?.Lines ?? Default.Lines;
        return new TerminalSize(Math.Max(w, MinColumns), Math.Max(h, 10));
    }

    private static int? Parse(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 10_000 ? n : null;
}
