using Teardown.Cli.Output;
using Teardown.Scenarios.Syntax;

namespace Teardown.Cli.Commands;

/// <summary>
/// Expands the FILE arguments (files, directories) and parses every scenario. Anything that is not a
/// regular file of sensible size is refused before it is read (<c>run /dev/zero</c> would otherwise
/// read forever), and a directory without scenarios is an error, not "0 of 0 passed".
/// </summary>
internal static class ScenarioFiles
{
    /// <summary>Loads every scenario, or reports every problem (FILE:LINE:COLUMN: message) on stderr and returns false.</summary>
    public static bool TryLoad(Terminal terminal, IEnumerable<string> arguments, out IReadOnlyList<Scenario> scenarios)
    {
        var diagnostics = new List<Diagnostic>();
        var loaded = new List<Scenario>();
        foreach (string arg in arguments)
        {
            if (Directory.Exists(arg))
            {
                var files = Directory.EnumerateFiles(arg, "*.scn", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) diagnostics.Add(new Diagnostic(arg, 1, 1, "no scenario files (*.scn) in this directory"));
                foreach (string f in files) Load(f, loaded, diagnostics);
            }
            else
            {
                Load(arg, loaded, diagnostics);
            }
        }

        scenarios = loaded;
        if (diagnostics.Count == 0) return true;
        foreach (var d in diagnostics) terminal.Error.WriteLine(d.ToString());
        terminal.Error.WriteLine($"{diagnostics.Count} error(s); nothing was run.");
        return false;
    }

    private static void Load(string path, List<Scenario> loaded, List<Diagnostic> diagnostics)
    {
        if (InputFiles.Refusal(path, InputFiles.MaxScenarioBytes) is string refusal)
        {
            diagnostics.Add(new Diagnostic(path, 1, 1, $"cannot read the scenario file: {refusal}"));
            return;
        }

        ParseResult result = ScenarioParser.ParseFile(path);
        if (result.Scenario is { } s && result.Diagnostics.Count == 0) loaded.Add(s);
        else diagnostics.AddRange(result.Diagnostics);
    }
}
