using System.Text;
using System.Text.Json;
using Teardown.Doctor.Classification;
using Teardown.Doctor.Forecast;
using Teardown.Doctor.WhatIf;

namespace Teardown.Cli.Commands;

/// <summary><c>teardown whatif --json</c>: schema teardown.whatif/1, written field by field so it stays stable.</summary>
internal static class WhatIfJson
{
    internal static string Write(IReadOnlyList<WhatIfReport> reports)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", "teardown.whatif/1");
            w.WriteString("change", reports.Count > 0 ? reports[0].Change.Describe() : "");
            w.WriteNumber("horizonSeconds", ModelForecaster.Horizon.TotalSeconds);
            w.WriteStartArray("answers");
            foreach (var a in reports.SelectMany(r => r.Answers))
            {
                w.WriteStartObject();
                w.WriteNumber("finding", a.Number);
                w.WriteString("class", a.Finding.Class.Id());
                w.WriteString("side", a.Finding.Side.Id());
                w.WriteString("service", a.Finding.Service);
                w.WriteNumber("sockets", a.Finding.Count);
                w.WriteString("effect", a.Effect.Id());
                w.WriteString("freshEffect", a.FreshEffect.Id());
                Pair(w, "existing", a.Existing);
                Pair(w, "fresh", a.Fresh);
                w.WriteStartArray("notes");
                foreach (string n in a.Notes) w.WriteStringValue(n);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("ports");
            foreach (string p in reports.SelectMany(r => r.Ports)) w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Pair(Utf8JsonWriter w, string name, Comparison? c)
    {
        if (c is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        One(w, "before", c.Before);
        One(w, "after", c.After);
        w.WriteEndObject();
    }

    private static void One(Utf8JsonWriter w, string name, Outcome o)
    {
        w.WriteStartObject(name);
        if (o.ReapedAfter is TimeSpan t) w.WriteNumber("endsAfterSeconds", Math.Round(t.TotalSeconds, 3)); else w.WriteNull("endsAfterSeconds");
        w.WriteString("peerSees", o.PeerSees switch { PeerSees.Rst => "rst", PeerSees.Fin => "fin", _ => "nothing" });
        if (o.EndedBy is { } cause)
        {
            w.WriteString("endedBy", cause.Text);
            w.WriteString("kernelFunction", cause.KernelRef);
        }
        else
        {
            w.WriteNull("endedBy");
            w.WriteNull("kernelFunction");
        }

        w.WriteBoolean("descriptorHeld", o.DescriptorHeld);
        w.WriteStartObject("counters");
        foreach (var (mib, delta) in o.Counters.OrderBy(c => c.Key.ToString(), StringComparer.Ordinal)) w.WriteNumber(mib.ToString(), delta);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
