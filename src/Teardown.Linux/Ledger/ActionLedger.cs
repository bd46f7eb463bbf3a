using Teardown.Linux.Interop;

namespace Teardown.Linux.Ledger;

/// <summary>
/// The action ledger: JSON lines appended to <see cref="DefaultPath"/> (on tmpfs, so it covers
/// this boot, as sockets do). Appends are single <c>write</c>s of whole lines in O_APPEND mode, so
/// concurrent writers never interleave within a line; readers tolerate a torn last line and lines
/// they cannot parse (skipped and counted).
/// </summary>
public static class ActionLedger
{
    /// <summary>Where the ledger lives unless <c>TEARDOWN_LEDGER</c> names another file.</summary>
    public const string DefaultPath = "/run/teardown/actions.jsonl";

    /// <summary>The ledger path in effect: <c>TEARDOWN_LEDGER</c> when set, else <see cref="DefaultPath"/>.</summary>
    public static string PathInEffect =>
        Environment.GetEnvironmentVariable("TEARDOWN_LEDGER") is { Length: > 0 } path ? path : DefaultPath;

    /// <summary>Appends entries in one write (creating the directory and file, mode 0600, when missing).</summary>
    public static LinuxResult<int> Append(string path, IReadOnlyList<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) return 0;
        var opened = LedgerWriter.Open(path);
        if (!opened.IsOk) return opened.Error!.Value;
        using var writer = opened.Value;
        return writer.WriteAll(entries) is LinuxError failed ? failed : entries.Count;
    }

    /// <summary>
    /// Reads whole lines from byte <paramref name="offset"/> on. Returns the entries, the offset
    /// after the last whole line (where the next read starts) and how many lines were unreadable.
    /// A file shorter than <paramref name="offset"/> was replaced: reading starts again from 0.
    /// A missing file is an empty ledger.
    /// </summary>
    public static LedgerRead Read(string path, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        var entries = new List<LedgerEntry>();
        int unreadable = 0;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < offset) offset = 0;
            stream.Position = offset;
            var rest = new byte[stream.Length - offset];
            stream.ReadExactly(rest);
            int start = 0;
            while (true)
            {
                int newline = Array.IndexOf(rest, (byte)'\n', start);
                if (newline < 0) break;
                var line = rest.AsSpan(start, newline - start);
                if (!line.IsEmpty)
                {
                    if (LedgerLine.TryParse(line, out var entry)) entries.Add(entry);
                    else unreadable++;
                }

                start = newline + 1;
            }

            return new LedgerRead(entries, offset + start, unreadable, null);
        }
        catch (FileNotFoundException)
        {
            return new LedgerRead(entries, 0, 0, null);
        }
        catch (DirectoryNotFoundException)
        {
            return new LedgerRead(entries, 0, 0, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LedgerRead(entries, offset, unreadable, $"{path}: {e.Message}");
        }
    }

    /// <summary>One entry as its ledger line (without the newline).</summary>
    public static string Format(LedgerEntry entry) => LedgerLine.Format(entry);

    /// <summary>Parses one ledger line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out LedgerEntry entry) => LedgerLine.TryParse(line, out entry);
}

/// <summary>What one read of the ledger found.</summary>
/// <param name="Entries">Whole, readable lines from the offset on.</param>
/// <param name="NextOffset">Where the next read starts (after the last whole line).</param>
/// <param name="Unreadable">Lines that could not be parsed.</param>
/// <param name="Error">Why the file could not be read, or null.</param>
public sealed record LedgerRead(IReadOnlyList<LedgerEntry> Entries, long NextOffset, int Unreadable, string? Error);
