namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>Host and socket names: case-sensitive, <c>[A-Za-z_][A-Za-z0-9_.-]*</c>.</summary>
internal static class NameSyntax
{
    public static bool IsValid(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')) return false;
        }

        return true;
    }

    /// <summary>The token as a name, or a failure saying what a name looks like.</summary>
    public static string Name(Token token, string what)
    {
        if (!token.Quoted && IsValid(token.Text)) return token.Text;
        throw new LineSyntaxException(token.Column, $"expected {what} (letters, digits, '_', '.', '-', starting with a letter or '_'), found {token.Shown}");
    }
}
