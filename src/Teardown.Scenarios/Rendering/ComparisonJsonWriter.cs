using Teardown.Scenarios.Checking;

namespace Teardown.Scenarios.Rendering;

/// <summary>
/// A comparison as JSON lines: one <c>summary</c> object per aspect (aspect, compared, diverged), then one
/// <c>divergence</c> object per divergence (time in seconds, line or null, statement, aspect, model, kernel).
/// </summary>
public static class ComparisonJsonWriter
{
    public static void Write(Comparison comparison, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(writer);
        foreach (AspectSummary s in comparison.Summary)
        {
            JsonTraceWriter.WriteLine(writer, w =>
            {
                w.WriteString("type", "summary");
                w.WriteString("aspect", s.Aspect);
                w.WriteNumber("compared", s.Compared);
                w.WriteNumber("diverged", s.Diverged);
            });
        }

        foreach (Divergence d in comparison.Divergences)
        {
            JsonTraceWriter.WriteLine(writer, w =>
            {
                w.WriteString("type", "divergence");
                JsonTraceWriter.Time(w, "time", d.At);
                if (d.Line is null)
                {
                    w.WriteNull("line");
                    w.WriteNull("statement");
                }
                else
                {
                    JsonTraceWriter.Line(w, d.Line);
                }

                w.WriteString("aspect", d.Aspect);
                w.WriteString("model", d.Model);
                w.WriteString("kernel", d.Kernel);
            });
        }
    }
}
