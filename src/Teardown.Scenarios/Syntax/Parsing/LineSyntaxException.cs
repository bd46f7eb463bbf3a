namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// Raised by the line parsers at the first error of a line. The driver turns it into a diagnostic
/// and moves on to the next line: one error per line keeps messages about one mistake, not its echoes.
/// </summary>
internal sealed class LineSyntaxException : Exception
{
    public LineSyntaxException(int column, string message)
        : base(message)
    {
        Column = column;
    }

    public LineSyntaxException()
    {
    }

    public LineSyntaxException(string message)
        : base(message)
    {
    }

    public LineSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Column { get; } = 1;
}
