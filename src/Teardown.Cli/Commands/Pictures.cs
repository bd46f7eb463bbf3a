using Teardown.Cli.Output;

namespace Teardown.Cli.Commands;

/// <summary>Writes a rendered picture to the file the user named, or says plainly why it could not.</summary>
internal static class Pictures
{
    /// <summary>True when <paramref name="path"/> is null (not asked for) or was written; false after reporting the failure.</summary>
    internal static bool TryWrite(Terminal terminal, string? path, Func<string> render)
    {
        if (path is null) return true;
        try
        {
            File.WriteAllText(path, render());
            terminal.Note($"wrote {path}");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            terminal.Fail($"cannot write {path}: {e.Message}");
            return false;
        }
    }
}
