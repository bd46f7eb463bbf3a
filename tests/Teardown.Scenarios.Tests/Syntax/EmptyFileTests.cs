using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

/// <summary>A file with nothing to run is an error at 1:1, never a scenario that passes with no checks.</summary>
public sealed class EmptyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scn-empty-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\n  \t\r\n")]
    public void An_empty_file_is_an_error_at_line_1_column_1(string text) =>
        ParseAssert.Error(text, "t.scn:1:1: expected a scenario (host declarations, then timed lines), found an empty file");

    [Theory]
    [InlineData("# nothing yet")]
    [InlineData("\n# a comment\n   # another\n\n")]
    public void A_file_of_comments_and_blank_lines_is_an_error_at_line_1_column_1(string text) =>
        ParseAssert.Error(text, "t.scn:1:1: expected a scenario (host declarations, then timed lines), found only comments and blank lines");

    [Fact]
    public void An_empty_file_on_disk_is_reported_with_its_path()
    {
        string path = Path.Combine(_dir, "empty.scn");
        File.WriteAllText(path, "");
        Diagnostic d = Assert.Single(ScenarioParser.ParseFile(path).Diagnostics);
        Assert.Equal((path, 1, 1), (d.File, d.Line, d.Column));
    }

    [Fact]
    public void No_scenario_in_the_catalogue_is_empty()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "scenarios"))) dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        string[] files = Directory.GetFiles(Path.Combine(dir, "scenarios"), "*.scn", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.DoesNotContain(ScenarioParser.ParseFile(f).Diagnostics, d => d.Message.Contains("found an empty file", StringComparison.Ordinal)
            || d.Message.Contains("found only comments and blank lines", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_header_alone_still_parses() => ParseAssert.Parses("# hosts only\nhost a");
}
