using System.Text.Json;
using Teardown.Cli.Output;
using Teardown.Doctor.Input;

namespace Teardown.Cli.Commands;

/// <summary>Writes capture files for --save.</summary>
internal static class Captures
{
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
