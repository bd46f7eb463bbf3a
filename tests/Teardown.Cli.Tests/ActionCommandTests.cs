namespace Teardown.Cli.Tests;

/// <summary>Bad input to <c>release</c> and <c>kill</c>: a clear message naming the option, exit 2, never a trace.</summary>
public sealed class ActionCommandTests
{
    [Theory]
    [InlineData("release", "--rate", "fast", "--rate: 'fast' is not a rate")]
    [InlineData("release", "--rate", "0/s", "--rate: '0/s' is not a rate")]
    [InlineData("kill", "--class", "close-wiat", "--class: unknown class 'close-wiat'")]
    [InlineData("kill", "--older-than", "ten", "--older-than: 'ten' is not a duration")]
    [InlineData("release", "--state", "CLOSED_WAIT", "--state: unknown state 'CLOSED_WAIT'")]
    [InlineData("release", "--remote", "example.com", "--remote: 'example.com' is not an address")]
    [InlineData("release", "--finding", "0", "--finding must be a finding number from 1 on")]
    [InlineData("kill", "--limit", "0", "--limit must be 1 or more")]
    [InlineData("release", "--pid", "-3", "--pid must be a positive process id")]
    public void Bad_options_are_usage_errors_that_name_the_option(string command, string option, string value, string message)
    {
        var (code, stdout, stderr) = CliHarness.Run(command, option, value);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finding_number_belongs_to_one_namespace()
    {
        var (code, stdout, stderr) = CliHarness.Run("release", "--finding", "2", "--all-netns");

        Assert.Equal(2, code);
        Assert.Contains("--finding numbers one namespace's findings", stderr + stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pid_that_does_not_exist_is_a_usage_error()
    {
        var (code, _, stderr) = CliHarness.Run("kill", "--pid", "99999999");

        Assert.Equal(2, code);
        Assert.Contains("no process with pid 99999999", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("release")]
    [InlineData("kill")]
    public void Help_teaches_the_dry_run_first(string command)
    {
        var (code, stdout, _) = CliHarness.Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains("Dry run unless --apply", stdout, StringComparison.Ordinal);
        Assert.Contains("--apply", stdout, StringComparison.Ordinal);
        Assert.Contains("--rate", stdout, StringComparison.Ordinal);
        Assert.Contains("--finding", stdout, StringComparison.Ordinal);
        Assert.Contains($"teardown {command} ", stdout, StringComparison.Ordinal);
    }
}
