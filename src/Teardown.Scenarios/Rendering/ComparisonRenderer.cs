using System.Globalization;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Rendering;

/// <summary>
/// A model-vs-kernel comparison as plain text: a per-aspect summary, then every divergence with the
/// model's and the kernel's side next to each other.
/// </summary>
public static class ComparisonRenderer
{
    /// <summary>The model column is cut off at this width so the kernel column stays on screen; longer texts wrap onto their own line.</summary>
    private const int MaxModelWidth = 60;

    public static void Render(Comparison comparison, Scenario scenario, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine($"model vs kernel: {scenario.Title ?? scenario.FileName}");
        writer.WriteLine();
        writer.WriteLine($"{"aspect",-12}  {"compared",8}  {"diverged",8}");
        foreach (AspectSummary s in comparison.Summary)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Aspect,-12}  {s.Compared,8}  {s.Diverged,8}"));
        }

        writer.WriteLine();
        if (comparison.Agrees)
        {
            writer.WriteLine("no divergence: the model agrees with the kernel");
            return;
        }

        int modelWidth = Math.Min(MaxModelWidth, Math.Max("model".Length, comparison.Divergences.Max(d => d.Model.Length)));
        writer.WriteLine($"{"time",8}  {"line",5}  {"aspect",-12}  {"model".PadRight(modelWidth)} | kernel");
        foreach (Divergence d in comparison.Divergences)
        {
            string line = d.Line is null ? "end" : d.Line.Where.Line.ToString(CultureInfo.InvariantCulture);
            string prefix = $"{TimeText.Column(d.At)}  {line,5}  {d.Aspect,-12}  ";
            if (d.Model.Length <= modelWidth)
            {
                writer.WriteLine($"{prefix}{d.Model.PadRight(modelWidth)} | {d.Kernel}");
            }
            else
            {
                writer.WriteLine($"{prefix}{d.Model}");
                writer.WriteLine($"{new string(' ', prefix.Length + modelWidth)} | {d.Kernel}");
            }
        }

        writer.WriteLine();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{comparison.Divergences.Count} divergence(s)"));
    }
}
