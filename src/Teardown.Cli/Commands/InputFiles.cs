using Teardown.Linux.Files;

namespace Teardown.Cli.Commands;

/// <summary>
/// Reads input files defensively: only regular files (not /dev/zero, a FIFO or a directory), and
/// only up to a documented size, so that no input can exhaust memory or hang the command.
/// </summary>
internal static class InputFiles
{
    /// <summary>Largest scenario file accepted (1 MiB: the largest in the catalogue is under 10 KiB).</summary>
    internal const long MaxScenarioBytes = 1 << 20;

    /// <summary>Largest capture accepted (512 MiB: a capture of 150,000 sockets is about 60 MiB).</summary>
    internal const long MaxCaptureBytes = 512L << 20;

    /// <summary>Why <paramref name="path"/> cannot be read as input, or null when it can.</summary>
    internal static string? Refusal(string path, long maxBytes) => FileKinds.Of(path) switch
    {
        FileKind.Missing => "no such file",
        FileKind.Directory => "it is a directory",
        FileKind.Regular => new FileInfo(path).Length > maxBytes ? $"larger than {maxBytes >> 20} MiB, the most teardown reads" : null,
        var kind => $"not a regular file (a {Describe(kind)})",
    };

    /// <summary>Reads the whole file once <see cref="Refusal"/> accepts it.</summary>
    internal static bool TryRead(string path, long maxBytes, out byte[] bytes, out string? problem)
    {
        bytes = [];
        problem = Refusal(path, maxBytes);
        if (problem is not null) return false;
        try
        {
            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return false;
        }
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Fifo => "named pipe",
        FileKind.Socket => "socket",
        _ => "special file",
    };
}
