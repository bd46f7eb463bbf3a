namespace Teardown.Scenarios.Syntax;

/// <summary>
/// An error found in a scenario file, at a 1-based line and column. <see cref="ToString"/> gives the
/// form compilers use, <c>FILE:LINE:COLUMN: message</c>, so editors can jump to it.
/// </summary>
public sealed record Diagnostic(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
