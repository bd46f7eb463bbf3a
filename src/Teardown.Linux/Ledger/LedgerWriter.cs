using System.Text;
using Teardown.Linux.Interop;

namespace Teardown.Linux.Ledger;

/// <summary>
/// Appends ledger lines one at a time, each as one unbuffered <c>write</c> in O_APPEND mode, so
/// a line is on disk before the next socket is touched (a crash or kill mid-run leaves a true record).
/// </summary>
public sealed class LedgerWriter : IDisposable
{
    private readonly FileStream _stream;

    private LedgerWriter(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    /// <summary>The ledger file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating directory and file, mode 0600, when missing) the ledger at <paramref name="path"/>.</summary>
    public static LinuxResult<LedgerWriter> Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            var options = new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            var stream = new FileStream(path, options);
            return new LedgerWriter(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LinuxError(e is UnauthorizedAccessException ? Errno.EACCES : Errno.EIO, $"open the ledger {path}: {e.Message}");
        }
    }

    /// <summary>Appends one entry; an error when the write failed (disk full, file gone read-only).</summary>
    public LinuxError? Write(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteAll([entry]);
    }

    /// <summary>Appends several entries as one write (whole lines, so a concurrent reader never sees them interleaved).</summary>
    public LinuxError? WriteAll(IReadOnlyList<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var buffer = new MemoryStream();
        foreach (var entry in entries) LedgerLine.WriteLine(buffer, entry);
        try
        {
            _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            return null;
        }
        catch (IOException e)
        {
            return new LinuxError(Errno.EIO, $"write to the ledger {Path}: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
