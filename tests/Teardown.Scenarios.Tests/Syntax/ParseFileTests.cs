using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

public sealed class ParseFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scn-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_file_becomes_a_diagnostic()
    {
        string path = Path.Combine(_dir, "missing.scn");
        Diagnostic d = Assert.Single(ScenarioParser.ParseFile(path).Diagnostics);
        Assert.Equal((path, 1, 1), (d.File, d.Line, d.Column));
        Assert.StartsWith("cannot read the scenario file: ", d.Message);
    }

    [Fact]
    public void A_directory_becomes_a_diagnostic() =>
        Assert.StartsWith("cannot read the scenario file: ", Assert.Single(ScenarioParser.ParseFile(_dir).Diagnostics).Message);

    [Fact]
    public void Invalid_utf8_is_reported_at_its_line_and_column()
    {
        string path = Path.Combine(_dir, "bad.scn");
        File.WriteAllBytes(path, [.. "host a\nhost "u8, 0xFF, .. "b\n"u8]);
        Diagnostic d = Assert.Single(ScenarioParser.ParseFile(path).Diagnostics);
        Assert.Equal($"{path}:2:6: expected UTF-8 text, found an invalid byte sequence", d.ToString());
    }

    [Fact]
    public void A_valid_file_parses_with_its_path_as_file_name()
    {
        string path = Path.Combine(_dir, "ok.scn");
        File.WriteAllText(path, FormatDocumentExampleTests.Example);
        ParseResult r = ScenarioParser.ParseFile(path);
        Assert.True(r.Succeeded);
        Assert.Equal(path, r.Scenario!.FileName);
    }

    [Fact]
    public void Errors_in_a_file_name_the_file()
    {
        string path = Path.Combine(_dir, "err.scn");
        File.WriteAllText(path, "host a\n0 b kill\n");
        Assert.StartsWith($"{path}:2:3: ", Assert.Single(ScenarioParser.ParseFile(path).Diagnostics).ToString());
    }
}
