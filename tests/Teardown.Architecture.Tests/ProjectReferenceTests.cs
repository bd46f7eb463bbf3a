using System.Xml.Linq;

namespace Teardown.Architecture.Tests;

/// <summary>
/// The layers of docs/architecture.md, read from the project files themselves: a project that
/// references one it must not fails here, before the reference can be used.
/// </summary>
public sealed class ProjectReferenceTests
{
    /// <summary>Each project and everything it may reference directly. A project missing here fails too.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Teardown.Kernel"] = [],
        ["Teardown.Model"] = ["Teardown.Kernel"],
        ["Teardown.Linux"] = ["Teardown.Kernel"],
        ["Teardown.Scenarios"] = ["Teardown.Kernel", "Teardown.Model"],
        ["Teardown.Doctor"] = ["Teardown.Kernel", "Teardown.Model", "Teardown.Linux"],
        ["Teardown.Lab"] = ["Teardown.Kernel", "Teardown.Linux", "Teardown.Scenarios"],
        ["Teardown.Server"] = ["Teardown.Kernel", "Teardown.Linux", "Teardown.Doctor"],
        ["Teardown.Remediation"] = ["Teardown.Kernel", "Teardown.Linux", "Teardown.Doctor"],
        ["Teardown.Cli"] = ["Teardown.Kernel", "Teardown.Scenarios", "Teardown.Lab", "Teardown.Doctor", "Teardown.Server", "Teardown.Remediation"],
    };

    public static TheoryData<string> Projects() => [.. ProjectNames()];

    private static IEnumerable<string> ProjectNames() => Directory.GetDirectories(Path.Combine(Repo.Root, "src")).Select(Path.GetFileName).OfType<string>()
        .Where(name => File.Exists(Path.Combine(Repo.Root, "src", name, name + ".csproj"))).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_references_only_the_layers_below_it(string project)
    {
        Assert.True(Allowed.TryGetValue(project, out var allowed), $"{project} is not placed in a layer (add it to docs/architecture.md and this test)");
        var references = ReferencesOf(project);
        var forbidden = references.Except(allowed!).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not reference {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void The_vocabulary_and_the_model_use_no_packages()
    {
        foreach (string project in new[] { "Teardown.Kernel", "Teardown.Model" })
        {
            var packages = Csproj(project).Descendants("PackageReference").Select(e => (string?)e.Attribute("Include")).ToList();
            Assert.True(packages.Count == 0, $"{project} references packages: {string.Join(", ", packages)}");
        }
    }

    [Fact]
    public void The_table_of_layers_lists_only_projects_that_exist()
    {
        var existing = ProjectNames().ToHashSet();
        Assert.All(Allowed.Keys, p => Assert.Contains(p, existing));
    }

    internal static List<string> ReferencesOf(string project) =>
        [.. Csproj(project).Descendants("ProjectReference")
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>()
            .Select(path => Path.GetFileNameWithoutExtension(path.Replace('\\', '/')))];

    private static XDocument Csproj(string project) => XDocument.Load(Path.Combine(Repo.Root, "src", project, project + ".csproj"));
}
