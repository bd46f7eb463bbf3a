using System.Text;
using Spectre.Console;

namespace Teardown.Cli.Commands;

/// <summary>
/// Labelled paragraphs wrapped to a width with a hanging indent, as Spectre markup:
/// <code>
///   why        The peer sent FIN; the kernel acknowledged it and put the
///              socket in CLOSE_WAIT.
/// </code>
/// Lines are broken only at spaces, so an address, a pid or a port is never split; a word longer
/// than the line stands on a line of its own. Every emitted line fits the width, so Spectre prints
/// it as it is.
/// </summary>
internal sealed class Prose(int width, int labelWidth)
{
    private readonly StringBuilder _markup = new();
    private readonly int _textWidth = Math.Max(20, width - labelWidth - 2);

    /// <summary>A label and a paragraph.</summary>
    public void Field(string label, string paragraph)
    {
        bool first = true;
        foreach (string line in Wrap(paragraph, _textWidth))
        {
            Line(first ? label : "", line);
            first = false;
        }
    }

    /// <summary>A label and bullet points ("• "), each wrapped under its own text.</summary>
    public void Bullets(string label, IEnumerable<string> items)
    {
        bool first = true;
        foreach (string item in items)
        {
            bool head = true;
            foreach (string line in Wrap(item, _textWidth - 2))
            {
                Line(first ? label : "", (head ? "• " : "  ") + line);
                first = false;
                head = false;
            }
        }
    }

    /// <summary>A label and lines shown as they are (examples), with a dim note after the label.</summary>
    public void Lines(string label, IReadOnlyList<string> lines, string? note = null)
    {
        _markup.Append("  [bold]").Append(Markup.Escape(label)).Append("[/]");
        if (note is not null) _markup.Append(" [dim]").Append(Markup.Escape(note)).Append("[/]");
        _markup.Append('\n');
        foreach (string line in lines)
        {
            bool head = true;
            foreach (string part in Wrap(line, _textWidth - 2))
            {
                _markup.Append(' ', labelWidth + 2 + (head ? 0 : 2)).Append(Markup.Escape(part)).Append('\n');
                head = false;
            }
        }
    }

    /// <summary>The markup built so far.</summary>
    public string ToMarkup() => _markup.ToString().TrimEnd('\n');

    private void Line(string label, string text)
    {
        _markup.Append("  ");
        if (label.Length > 0) _markup.Append("[bold]").Append(Markup.Escape(label)).Append("[/]");
        _markup.Append(' ', Math.Max(1, labelWidth - label.Length));
        _markup.Append(Markup.Escape(text)).Append('\n');
    }

    /// <summary>
    /// Greedy word wrap at spaces (U+0020 only: a no-break space keeps "fd 12" together); never
    /// splits a word; runs of spaces inside a line (aligned columns) are kept.
    /// </summary>
    internal static IEnumerable<string> Wrap(string text, int width)
    {
        foreach (string paragraph in text.Split('\n'))
        {
            var line = new StringBuilder();
            bool started = false;
            foreach (string word in paragraph.Split(' '))
            {
                if (word.Length > 0 && line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    yield return line.ToString().TrimEnd();
                    line.Clear();
                    started = false;
                }

                if (!started && word.Length == 0) continue; // no leading spaces on a continuation line
                if (started) line.Append(' ');
                line.Append(word);
                started = true;
            }

            yield return line.ToString().TrimEnd();
        }
    }

    /// <inheritdoc />
    public override string ToString() => ToMarkup();}
