namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// One whitespace-separated word of a line. <see cref="Text"/> has its quotes removed;
/// <see cref="Column"/> is the 1-based column of its first character as written.
/// </summary>
internal readonly record struct Token(string Text, int Column, bool Quoted)
{
    /// <summary>Keywords are case-insensitive (scenario-format.md, lexical rules).</summary>
    public bool Is(string keyword) => !Quoted && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>How the token reads in an error message: quoted as written, escaped and cut (<see cref="InputText"/>).</summary>
    public string Shown => Quoted ? $"\"{InputText.Show(Text)}\"" : InputText.Quote(Text);
}
