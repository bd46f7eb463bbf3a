using System.Security;
using System.Text;
using Teardown.Scenarios.Syntax.Parsing;

namespace Teardown.Scenarios.Syntax;

/// <summary>
/// Parses <c>.scn</c> text (scenario-format.md, version 1) into a <see cref="Scenario"/> with every name
/// resolved. Bad input never throws: it yields diagnostics <c>FILE:LINE:COLUMN: message</c> (1-based; a tab
/// counts as one column). Parsing continues with the next line after an error, up to <see cref="MaxDiagnostics"/>.
/// </summary>
public static class ScenarioParser
{
    /// <summary>After this many errors the rest of the file is not read: later errors are mostly echoes.</summary>
    public const int MaxDiagnostics = 50;

    public static ParseResult Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var builder = new ScenarioBuilder();
        var scope = new NameScope();
        var header = new HeaderParser(builder, scope);
        var timed = new TimedLineParser(scope);
        var diagnostics = new List<Diagnostic>();
        int? firstTimedLine = null;
        bool anyStatement = false;

        string[] lines = text.TrimStart('\uFEFF').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            try
            {
                LexedLine lexed = LineLexer.Lex(lines[i].TrimEnd('\r'));
                if (lexed.Tokens.Count == 0) continue;
                anyStatement = true;
                Token first = lexed.Tokens[0];
                if (HeaderParser.IsHeaderKeyword(first))
                {
                    if (firstTimedLine is { } timedStart)
                    {
                        throw new LineSyntaxException(first.Column,
                            $"expected a timed line, found header statement {first.Shown}: the header comes before the first timed line (line {timedStart})");
                    }

                    header.Parse(new TokenCursor(lexed.Tokens, lexed.EndColumn), new SourcePosition(lineNumber, first.Column));
                }
                else if (TimeSpecParser.LooksLikeTime(first))
                {
                    firstTimedLine ??= lineNumber;
                    builder.Timeline.Add(timed.Parse(lexed, lineNumber));
                }
                else
                {
                    throw TokenCursor.Fail(first, $"a header statement (scenario, host, sysctl, link, tolerance) or {TimeSpecParser.Examples}");
                }
            }
            catch (LineSyntaxException e)
            {
                diagnostics.Add(new Diagnostic(fileName, lineNumber, e.Column, e.Message));
                if (diagnostics.Count >= MaxDiagnostics)
                {
                    diagnostics.Add(new Diagnostic(fileName, lineNumber, 1, $"too many errors: stopped after {MaxDiagnostics}"));
                    break;
                }
            }
        }

        if (diagnostics.Count > 0) return ParseResult.Failure(diagnostics);
        if (!anyStatement)
        {
            // A file with nothing to run would otherwise "pass" with no checks: a truncated or mistyped file looks green.
            string found = string.IsNullOrWhiteSpace(text.TrimStart('\uFEFF')) ? "an empty file" : "only comments and blank lines";
            return ParseResult.Failure([new Diagnostic(fileName, 1, 1,
                $"expected a scenario (host declarations, then timed lines), found {found}")]);
        }

        IReadOnlyList<HostDecl>? hosts = builder.AssignAddresses(out var unaddressed);
        if (hosts is null)
        {
            (SourcePosition at, string name) = unaddressed!.Value;
            return ParseResult.Failure([new Diagnostic(fileName, at.Line, at.Column,
                $"expected addr=IPV4 for host {name}, found none, and the default addresses 192.0.2.1-254 are all used")]);
        }

        return ParseResult.Success(builder.Build(fileName, scope.Sockets, hosts));
    }

    /// <summary>Reads and parses a file; a file that cannot be read, or is not UTF-8, becomes a diagnostic.</summary>
    public static ParseResult ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or SecurityException)
        {
            return ParseResult.Failure([new Diagnostic(path, 1, 1, $"cannot read the scenario file: {e.Message}")]);
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            int index = Math.Clamp(e.Index, 0, bytes.Length);
            int line = 1 + bytes.AsSpan(0, index).Count((byte)'\n');
            int lineStart = bytes.AsSpan(0, index).LastIndexOf((byte)'\n') + 1;
            return ParseResult.Failure([new Diagnostic(path, line, index - lineStart + 1, "expected UTF-8 text, found an invalid byte sequence")]);
        }

        return Parse(text, path);
    }
}
