using System.Globalization;
using System.Text;

namespace Teardown.Server.Security;

/// <summary>Whether a diagnostic stops the file from loading.</summary>
public enum WebConfigSeverity
{
    /// <summary>The file is refused.</summary>
    Error,

    /// <summary>The file loads, but something written in it has no effect or is weak; the operator should know.</summary>
    Warning,
}

/// <summary>
/// A problem found in a web config file, at a 1-based line and column. <see cref="ToString"/> gives the
/// form compilers use, <c>FILE:LINE:COLUMN: message</c> (warnings say <c>warning:</c> after the
/// position), so editors can jump to it. A problem with the file as a whole (missing, unreadable) has no
/// position: <see cref="Line"/> and <see cref="Column"/> are 0 and the form is <c>FILE: message</c>,
/// rather than a made-up 1:1 that would point into a file that may not exist.
/// </summary>
/// <param name="File">The web config path as it was given.</param>
/// <param name="Line">1-based line, or 0 for the whole file.</param>
/// <param name="Column">1-based column, or 0 for the whole file.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Message">What is wrong and, where it helps, what to write instead. Never a secret.</param>
public sealed record WebConfigDiagnostic(string File, int Line, int Column, WebConfigSeverity Severity, string Message)
{
    /// <summary><c>FILE:LINE:COLUMN: message</c>, one line whatever the file name or message hold.</summary>
    public override string ToString()
    {
        var position = Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{OneLine(File)}:{Line}:{Column}") : OneLine(File);
        var severity = Severity == WebConfigSeverity.Warning ? "warning: " : "";
        return $"{position}: {severity}{OneLine(Message)}";
    }

    /// <summary>Control characters are escaped so that a hostile file name or key cannot forge a second line.</summary>
    internal static string OneLine(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString());
        }

        return builder.ToString();
    }
}

/// <summary>
/// The outcome of <see cref="WebConfigLoader.Load"/>: the config when no error was found (warnings may
/// accompany it), otherwise null and at least one error.
/// </summary>
/// <param name="Config">The loaded config, or null when the file has errors.</param>
/// <param name="Diagnostics">Errors and warnings in file order.</param>
public sealed record WebConfigLoadResult(WebConfig? Config, IReadOnlyList<WebConfigDiagnostic> Diagnostics)
{
    /// <summary>True when the file loaded.</summary>
    public bool Succeeded => Config is not null;

    /// <summary>The errors only.</summary>
    public IEnumerable<WebConfigDiagnostic> Errors => Diagnostics.Where(d => d.Severity == WebConfigSeverity.Error);

    /// <summary>The warnings only.</summary>
    public IEnumerable<WebConfigDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == WebConfigSeverity.Warning);
}
