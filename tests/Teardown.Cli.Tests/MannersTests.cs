using System.Text.Json;
using System.Text.RegularExpressions;
using Teardown.Cli.Commands;
using Teardown.Cli.Output;

namespace Teardown.Cli.Tests;

/// <summary>What a new user meets in the first ten minutes: errors on stderr in plain words, bounded inputs, sizes that fit.</summary>
public sealed class MannersTests
{
    private static string DemoCapture => Path.Combine(CliHarness.RepoRoot, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");

    [Fact]
    public void No_command_prints_help_starting_with_the_main_job_and_exits_2()
    {
        var (code, stdout, _) = CliHarness.Run();
        Assert.Equal(2, code);
        var examples = stdout[stdout.IndexOf("EXAMPLES:", StringComparison.Ordinal)..].Split('\n').Skip(1).Take(3).Select(l => l.Trim()).ToList();
        Assert.Equal(["teardown doctor", "teardown demo", "teardown watch"], examples);
    }

    [Fact]
    public void Version_is_printed_and_exits_0()
    {
        var (code, stdout, _) = CliHarness.Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Theory]
    [InlineData(new[] { "doctor", "--pid", "abc" }, "--pid takes a whole number, not 'abc'")]
    [InlineData(new[] { "watch", "--count=abc" }, "--count takes a whole number, not 'abc'")]
    [InlineData(new[] { "run", "x.scn", "--seed", "-1" }, "--seed takes a whole number, 0 or more, not '-1'")]
    [InlineData(new[] { "doctor", "--json=3" }, "--json is a switch and takes no value")]
    [InlineData(new[] { "doctor", "-" }, "'-' is not an option")]
    [InlineData(new[] { "doctor", "--=x" }, "'--=x' is not an option")]
    [InlineData(new[] { "watch", "--port", "99999" }, "--port must be 0–65535")]
    [InlineData(new[] { "watch", "--pid", "999999999" }, "no process with pid 999999999")]
    [InlineData(new[] { "watch", "--interval", "5000000s" }, "--interval must be between 100ms and 24h")]
    public void Bad_values_are_usage_errors_in_plain_words_on_stderr(string[] args, string message)
    {
        var (code, stdout, stderr) = CliHarness.Run(args);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"Nullable`1|Int32|given key was not present|does not have a name|internal error", stderr);
    }

    [Theory]
    [InlineData("10h", 36000)]
    [InlineData("1m30s", 90)]
    [InlineData("1h15m", 4500)]
    [InlineData("500ms", 0.5)]
    [InlineData("2", 2)]
    [InlineData("1.5s", 1.5)]
    public void Durations_are_read_as_people_write_them(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1s1m")]
    [InlineData("m")]
    [InlineData("")]
    [InlineData("-1s")]
    [InlineData("1e400s")]
    public void Nonsense_durations_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Fact]
    public void A_device_is_refused_before_it_is_read()
    {
        var (code, _, stderr) = CliHarness.Run("run", "/dev/zero");
        Assert.Equal(2, code);
        Assert.Contains("/dev/zero:1:1: cannot read the scenario file: not a regular file (a character device)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_pipe_is_refused_instead_of_waiting_for_a_writer()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"teardown-fifo-{Guid.NewGuid():N}.scn");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)!) await mkfifo.WaitForExitAsync();
        try
        {
            var (code, _, stderr) = await Task.Run(() => CliHarness.Run("run", fifo)).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(2, code);
            Assert.Contains("named pipe", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void A_file_beyond_the_documented_size_is_refused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"teardown-huge-{Guid.NewGuid():N}.scn");
        using (var f = File.Create(path)) f.SetLength(InputFiles.MaxScenarioBytes + 1);
        try
        {
            var (code, _, stderr) = CliHarness.Run("run", path);
            Assert.Equal(2, code);
            Assert.Contains("larger than 1 MiB", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_directory_without_scenarios_is_an_error_not_0_of_0()
    {
        string dir = Directory.CreateTempSubdirectory("teardown-empty-").FullName;
        try
        {
            var (code, stdout, stderr) = CliHarness.Run("run", dir);
            Assert.Equal(2, code);
            Assert.Contains("no scenario files", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("0 of 0", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void An_empty_scenario_file_is_an_error_not_a_pass()
    {
        string path = CliHarness.TempScenario("# only a comment\n\n");
        try
        {
            var (code, stdout, stderr) = CliHarness.Run("run", path);
            Assert.Equal(2, code);
            Assert.Contains(":1:1:", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("passed", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Blind_spots_are_told_in_words_not_enum_names()
    {
        var writer = new StringWriter();
        var terminal = Terminal.ForWriters(writer, TextWriter.Null, 100, 50);
        var report = Reports.WithFindings(partial: true) with
        {
            BlindSpots = [.. Enum.GetValues<Teardown.Linux.Inventory.BlindSpotKind>().Select(k => new Teardown.Linux.Inventory.BlindSpot(k, "detail"))],
        };
        DoctorRenderer.Render(terminal.Out, report, 0, showNamespace: false);
        string text = writer.ToString();
        Assert.Contains("not root: detail", text, StringComparison.Ordinal);
        Assert.All(Enum.GetNames<Teardown.Linux.Inventory.BlindSpotKind>(), name => Assert.DoesNotContain(name + ":", text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("200", null, 200)]
    [InlineData(null, 120, 120)]
    [InlineData(null, null, 80)]
    [InlineData("abc", null, 80)]
    [InlineData("200", 100, 200)]
    public void Width_follows_COLUMNS_then_the_terminal_then_80(string? columns, int? terminal, int expected)
    {
        var size = TerminalSize.Measure(columns, null, terminal is int t ? (t, 40) : null);
        Assert.Equal(expected, size.Columns);
    }

    [Fact]
    public void COLUMNS_is_honoured_by_the_process()
    {
        var (_, stdout, _) = CliProcess.RunWithColumns("200", "doctor", "--input", DemoCapture);
        Assert.Equal(200, stdout.Split('\n').Max(l => l.TrimEnd('\r').Length));
    }

    [Fact]
    public void Wide_output_is_as_long_as_its_content()
    {
        var (_, narrow, _) = CliHarness.RunSized(80, 24, "doctor", "--input", DemoCapture);
        var (_, wide, _) = CliHarness.RunSized(80, 24, "doctor", "--input", DemoCapture, "--wide");
        Assert.True(narrow.Split('\n').Max(l => l.Length) <= 80);
        Assert.True(wide.Split('\n').Max(l => l.Length) > 80);
        Assert.True(wide.Split('\n').Max(l => l.Length) < Terminal.WideWidth, "panels and rules must not stretch to the nominal width");
    }

    [Fact]
    public void At_80_columns_no_address_owner_or_port_is_split_across_lines()
    {
        var (_, brief, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--brief");
        var (_, table, _) = CliHarness.RunSized(80, 24, "doctor", "--input", DemoCapture, "--details", "0");
        foreach (var line in brief.Split('\n').Skip(1).Where(l => l.Length > 0))
        {
            var fields = line.Split(' ');
            Assert.Contains(fields[5], table, StringComparison.Ordinal); // service: address:port
            if (fields[6] != "-") Assert.Contains(fields[6], table, StringComparison.Ordinal); // owner comm/pid
        }
    }

    [Fact]
    public void Brief_gives_one_line_per_finding_with_fixed_fields()
    {
        var (code, stdout, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--brief");
        Assert.Equal(1, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("# severity", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Skip(1), l => Assert.Equal(9, l.Split(' ').Length));
        var (_, json, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--json");
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(doc.RootElement.GetProperty("namespaces")[0].GetProperty("findings").GetArrayLength(), lines.Length - 1);
    }

    [Fact]
    public void Sockets_lists_every_socket_of_the_findings_like_ss()
    {
        var (code, stdout, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--sockets");
        Assert.Equal(1, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("State Recv-Q Send-Q Local Peer class pid comm fd timer netns", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Equal(11, l.Split(' ').Length));
        var (_, json, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--json");
        using var doc = JsonDocument.Parse(json);
        int counted = doc.RootElement.GetProperty("namespaces")[0].GetProperty("findings").EnumerateArray().Sum(f => f.GetProperty("count").GetInt32());
        Assert.Equal(counted, lines.Length - 1);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^CLOSE-WAIT 1 0 \S+ \S+ close-wait-unread-eof \d+ dotnet \d+ - "));
    }

    [Fact]
    public void Findings_exit_1_even_when_part_of_the_host_was_hidden()
    {
        var (_, stdout, _) = CliHarness.Run("doctor", "--input", DemoCapture, "--json");
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal(ExitCodes.Findings, DoctorCommand.ExitCode([Reports.WithFindings(partial: true)]));
        Assert.Equal(ExitCodes.Permission, DoctorCommand.ExitCode([Reports.WithFindings(partial: true, findings: false)]));
        Assert.Equal(ExitCodes.Ok, DoctorCommand.ExitCode([Reports.WithFindings(partial: false, findings: false)]));
    }

    [Fact]
    public void Json_elapsed_covers_the_whole_run()
    {
        var (_, stdout, _) = CliProcess.Run("doctor", "--json");
        using var doc = JsonDocument.Parse(stdout);
        double elapsed = doc.RootElement.GetProperty("elapsedMs").GetDouble();
        var cost = doc.RootElement.GetProperty("namespaces")[0].GetProperty("cost");
        double read = cost.EnumerateObject().Where(p => p.Name.EndsWith("Ms", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.Number).Select(p => p.Value.GetDouble()).DefaultIfEmpty(0).Max();
        Assert.True(elapsed >= read, $"elapsedMs {elapsed} is shorter than reading alone ({read} ms)");
    }

    [Fact]
    public void Watch_fits_80_by_24_keeping_its_header()
    {
        var report = Reports.WithFindings(partial: false, many: true);
        var history = new Teardown.Doctor.Watch.WatchHistory();
        var writer = new StringWriter();
        var terminal = Terminal.ForWriters(writer, TextWriter.Null, 80, 24);
        terminal.Out.Write(WatchCommand.View(report, history, TimeSpan.FromSeconds(2), 1, 24, 80));
        var lines = writer.ToString().TrimEnd('\n').Split('\n');
        Assert.True(lines.Length <= 24, $"{lines.Length} lines:\n{writer}");
        Assert.Contains("sample 1", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("top findings", StringComparison.Ordinal));
    }
}
