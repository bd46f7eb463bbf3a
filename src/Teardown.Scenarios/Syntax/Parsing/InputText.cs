using System.Globalization;
using System.Text;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// How text from a scenario file reads inside a diagnostic. Diagnostics go to a terminal: a raw escape
/// sequence could recolour or rewrite it, a newline could forge a second <c>FILE:LINE:COLUMN</c> line, and a
/// bidirectional override (U+202E) could make the quoted token read differently from what the file holds.
/// So control and format characters are shown as escapes, and a long token is cut.
/// </summary>
internal static class InputText
{
    /// <summary>Characters of a token shown before it is cut with "…".</summary>
    public const int MaxShown = 40;

    /// <summary>The token between single quotes, escaped and cut: <c>'abc'</c>.</summary>
    public static string Quote(string text) => $"'{Show(text)}'";

    /// <summary>The first <see cref="MaxShown"/> characters of <paramref name="text"/>, escaped, then "…" if it was longer.</summary>
    public static string Show(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < text.Length; shown++)
        {
            if (shown == MaxShown) return sb.Append('…').ToString();
            i = AppendOne(text, i, sb);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Control characters (Cc), format characters (Cf: the bidirectional embeddings, overrides and isolates
    /// U+202A–U+202E and U+2066–U+2069, zero-width characters, U+FEFF), line and paragraph separators and lone
    /// surrogates become escapes (<c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\u202E</c>); everything else is kept.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            i = AppendOne(text, i, sb);
        }

        return sb.ToString();
    }

    // Appends the character (or surrogate pair) at i, escaped if hidden; returns the index after it.
    private static int AppendOne(string text, int i, StringBuilder sb)
    {
        if (!Rune.TryGetRuneAt(text, i, out Rune rune))
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)text[i]:X4}"); // a lone surrogate
            return i + 1;
        }

        bool hidden = Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
        if (!hidden)
        {
            sb.Append(text, i, rune.Utf16SequenceLength);
        }
        else
        {
            sb.Append(rune.Value switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ => rune.IsBmp ? string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}") : string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:X8}"),
            });
        }

        return i + rune.Utf16SequenceLength;
    }
}
