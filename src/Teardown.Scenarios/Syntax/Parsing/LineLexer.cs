using System.Text;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>The words of one line, and where the code (before any comment) ends.</summary>
internal sealed record LexedLine(IReadOnlyList<Token> Tokens, string Code, int EndColumn);

/// <summary>
/// Splits a line into tokens: spaces and tabs separate, <c>#</c> outside quotes starts a comment,
/// double quotes keep spaces inside one token (<c>scenario "a title"</c>, <c>ip_local_port_range="32768 60999"</c>)
/// and accept the escapes <c>\"</c> and <c>\\</c>.
/// </summary>
internal static class LineLexer
{
    public static LexedLine Lex(string line)
    {
        var tokens = new List<Token>();
        var text = new StringBuilder();
        int i = 0;
        int codeEnd = line.Length;
        while (i < line.Length)
        {
            char c = line[i];
            if (c is ' ' or '\t')
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                codeEnd = i;
                break;
            }

            int start = i;
            bool quoted = false;
            text.Clear();
            while (i < line.Length && line[i] is not (' ' or '\t' or '#'))
            {
                if (line[i] == '"')
                {
                    quoted = true;
                    i = ReadQuoted(line, i, text);
                }
                else
                {
                    text.Append(line[i]);
                    i++;
                }
            }

            tokens.Add(new Token(text.ToString(), start + 1, quoted));
        }

        string code = line[..codeEnd].TrimEnd(' ', '\t');
        return new LexedLine(tokens, code, code.Length + 1);
    }

    /// <summary>Reads a quoted part starting at the opening quote; returns the index after the closing quote.</summary>
    private static int ReadQuoted(string line, int open, StringBuilder text)
    {
        int i = open + 1;
        while (i < line.Length)
        {
            char c = line[i];
            if (c == '"') return i + 1;
            if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
            {
                text.Append(line[i + 1]);
                i += 2;
                continue;
            }

            text.Append(c);
            i++;
        }

        throw new LineSyntaxException(open + 1, "expected a closing '\"' for this quote, found end of line");
    }
}
