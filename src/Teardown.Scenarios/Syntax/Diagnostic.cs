namespace Teardown.Scenarios.Syntax;

/// <summary>
/// An error found in a scenario file, at a 1-based line and column. <see cref="ToString"/> gives the
/// form compilers use, <c>FILE:LINE:COLUMN: message</c>, so editors can jump to it. Control and
/// bidirectional characters in the file name or message are escaped there too (the parsers already
/// escape and cut what they quote), so that one diagnostic is always one honest line.
/// </summary>
public sealed record Diagnostic(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{Parsing.InputText.Escape(File)}:{Line}:{Column}: {Parsing.InputText.Escape(Message)}";
}
