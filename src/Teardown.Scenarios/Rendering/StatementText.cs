using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Syntax.Parsing;

namespace Teardown.Scenarios.Rendering;

/// <summary>The statement of a timed line as written, without its time, result or comment: <c>client connect C server:8080</c>.</summary>
public static class StatementText
{
    public static string Of(TimedLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        IReadOnlyList<Token> tokens;
        try
        {
            tokens = LineLexer.Lex(line.Text).Tokens;
        }
        catch (LineSyntaxException)
        {
            // A hand-built line whose text does not lex: show it whole rather than fail to render.
            return line.Text;
        }

        return string.Join(' ', tokens.Skip(1).TakeWhile(t => t.Quoted || t.Text != "=").Select(t => t.Quoted ? t.Shown : t.Text));
    }
}
