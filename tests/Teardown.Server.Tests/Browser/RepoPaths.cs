namespace Teardown.Server.Tests.Browser;

/// <summary>
/// Where the repository is when tests run from bin/: the fixtures are read in place (not copied to
/// the output) and screenshots go to .build/screenshots/, which .gitignore already ignores.
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory holding Teardown.slnx.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>tests/Teardown.Server.Tests/Fixtures.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "Teardown.Server.Tests", "Fixtures");

    /// <summary>.build/screenshots, created on first use.</summary>
    public static string Screenshots => Directory.CreateDirectory(Path.Combine(Root, ".build", "screenshots")).FullName;

    /// <summary>The text of one fixture file, e.g. "report.json".</summary>
    public static string Fixture(string name) => File.ReadAllText(Path.Combine(Fixtures, name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Teardown.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Teardown.slnx above {AppContext.BaseDirectory}");
    }
}
