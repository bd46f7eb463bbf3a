using System.Text.Json;
using Teardown.Doctor.Report;

namespace Teardown.Cli.Commands;

/// <summary>The doctor's JSON as text (indented, UTF-8 characters kept readable).</summary>
internal static class ReportText
{
    internal static string Json(IReadOnlyList<DoctorReport> reports, int exitCode, TimeSpan elapsed)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ReportJson.Write(w, reports, exitCode, elapsed);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
