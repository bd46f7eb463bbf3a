using Teardown.Scenarios.Syntax;

namespace Teardown.Cli.Commands;

/// <summary>Expands the FILE arguments (files, directories) and parses every scenario.</summary>
internal static class ScenarioFiles
{
    public static IReadOnlyList<Scenario> Load(IEnumerable<string> arguments, out List<Diagnostic> diagnostics)
    {
        diagnostics = [];
        var scenarios = new List<Scenario>();
        foreach (string path in Expand(arguments))
        {
            ParseResult result = ScenarioParser.ParseFile(path);
            if (result.Scenario is { } s && result.Diagnostics.Count == 0) scenarios.Add(s);
            else diagnostics.AddRange(result.Diagnostics);
        }

        return scenarios;
    }

    private static IEnumerable<string> Expand(IEnumerable<string> arguments)
    {
        foreach (string arg in arguments)
        {
            if (Directory.Exists(arg))
            {
                foreach (string f in Directory.EnumerateFiles(arg, "*.scn", SearchOption.AllDirectories).Order(StringComparer.Ordinal)) yield return f;
            }
            else
            {
                yield return arg;
            }
        }
    }
}
