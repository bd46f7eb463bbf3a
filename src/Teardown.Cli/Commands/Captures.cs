using System.Text.Json;
using Teardown.Cli.Output;
using Teardown.Doctor.Input;
using Teardown.Linux.Inventory;

namespace Teardown.Cli.Commands;

/// <summary>Writes capture files for --save and reads them for --input.</summary>
internal static class Captures
{
    /// <summary>
    /// What a command analyses: the capture at <paramref name="capture"/> when --input gave one, else a snapshot of
    /// the host as <paramref name="request"/> says. Null (after saying why) when the capture cannot be read.
    /// </summary>
    internal static List<DoctorInput>? CaptureOrSnapshot(Terminal terminal, string? capture, Func<SnapshotRequest> request,
        Action<HostSnapshot>? whileScanning = null)
    {
        if (capture is null) return [.. NamespaceSnapshots.Take(request(), whileScanning).Select(DoctorInput.From)];
        return TryRead(terminal, capture) is DoctorInput input ? [input] : null;
    }

    /// <summary>Reads a capture written by --save; on failure says why and returns null (a usage error).</summary>
    internal static DoctorInput? TryRead(Terminal terminal, string path)
    {
        if (!InputFiles.TryRead(path, InputFiles.MaxCaptureBytes, out var bytes, out string? problem))
        {
            terminal.Fail($"cannot read the capture {path}: {problem}");
            return null;
        }

        try
        {
            return CaptureJson.Read(bytes);
        }
        catch (InvalidDataException e)
        {
            terminal.Fail($"cannot read the capture {path}: {e.Message}");
            return null;
        }
    }

    internal static bool TrySave(Terminal terminal, string path, DoctorInput input)
    {
        try
        {
            using var file = File.Create(path);
            using var w = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            CaptureJson.Write(w, input);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            terminal.Fail($"cannot write the capture {path}: {e.Message}");
            return false;
        }
    }
}
