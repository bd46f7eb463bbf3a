using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Teardown.Cli.Tests;

/// <summary><c>teardown serve</c> from the command line: bad input is a message and an exit code, a signal a clean stop.</summary>
public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("--interval", "soon", "--interval 'soon' is not a duration")]
    [InlineData("--interval", "100ms", "--interval must be between 1s and 1h")]
    [InlineData("--interval", "2h", "--interval must be between 1s and 1h")]
    [InlineData("--listen", "localhost", "--listen 'localhost' is not ADDRESS:PORT")]
    [InlineData("--listen", "127.0.0.1", "--listen '127.0.0.1' is not ADDRESS:PORT")]
    [InlineData("--listen", "127.0.0.1:99999", "--listen '127.0.0.1:99999' is not ADDRESS:PORT")]
    [InlineData("--top", "0", "--top must be between 1 and 1000")]
    [InlineData("--owners", "magic", "--owners must be auto, bpf or proc")]
    public void A_bad_value_is_a_usage_error_naming_the_option(string option, string value, string message)
    {
        var (code, stdout, stderr) = CliHarness.Run("serve", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("doctor")]
    [InlineData("watch")]
    [InlineData("demo")]
    [InlineData("run")]
    [InlineData("diff")]
    public void Every_commands_help_renders_and_exits_0(string command)
    {
        // Descriptions are Spectre markup: an unescaped "[::1]" once made serve --help an internal error.
        var (code, stdout, stderr) = CliHarness.Run(command, "--help");
        Assert.True(code == 0, stderr);
        Assert.Contains("USAGE", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_help_teaches_the_listen_address_and_the_web_config()
    {
        var (_, stdout, _) = CliHarness.Run("serve", "--help");
        Assert.Contains("[::1]:9877", stdout, StringComparison.Ordinal);
        Assert.Contains("--web-config", stdout, StringComparison.Ordinal);
        Assert.Contains("--web.config.file", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:9877", true)]
    [InlineData("[::1]:9877", true)]
    [InlineData(":9100", true)]
    [InlineData("0.0.0.0:0", true)]
    [InlineData("9877", false)]
    [InlineData("[::1]", false)]
    [InlineData("example.org:80", false)]
    public void Listen_addresses_are_address_and_port(string text, bool valid) =>
        Assert.Equal(valid, Teardown.Cli.Commands.ServeCommand.TryParseListen(text, out _));

    [SkippableFact]
    public void Without_root_it_says_what_is_missing_and_exits_3()
    {
        var run = Unprivileged.Run("serve", "--listen", "127.0.0.1:0");
        Skip.If(run is null, "setpriv is not installed");
        var (code, _, stderr) = run.Value;
        Assert.Equal(3, code);
        Assert.Contains("serve needs root", stderr, StringComparison.Ordinal);
        Assert.Contains("--unprivileged", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_port_in_use_is_a_clear_message_and_exit_2()
    {
        Require.RootOrSkip();
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var (code, stdout, stderr) = CliProcess.Run("serve", "--listen", $"127.0.0.1:{port}");
        Assert.Equal(2, code);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}: the address is already in use", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Sigterm_stops_the_server_cleanly_within_a_second()
    {
        Require.RootOrSkip();
        int port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "serve", "--listen", $"127.0.0.1:{port}", "--interval", "1s" }) psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        var stderr = server.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient();
            var ready = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }

                Assert.True(ready.Elapsed < TimeSpan.FromSeconds(30), "serve did not become ready: " + (server.HasExited ? await stderr : "still starting"));
                await Task.Delay(100);
            }

            var stop = Stopwatch.StartNew();
            Assert.Equal(0, Signals.Kill(server.Id, Signals.SigTerm));
            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(5)), "serve ignored SIGTERM");
            Assert.True(stop.Elapsed < TimeSpan.FromSeconds(1), $"serve took {stop.Elapsed.TotalMilliseconds:0} ms to stop");
            Assert.Equal(0, server.ExitCode);
            Assert.Contains("stopped after", await stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_missing_web_config_is_a_usage_error_naming_the_file()
    {
        var (code, _, stderr) = CliHarness.Run("serve", "--unprivileged", "--web.config", "/nonexistent/web.yml");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/web.yml", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_web_config_is_reported_at_its_line_and_column()
    {
        string path = Path.Combine(Path.GetTempPath(), $"teardown-web-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, "basic_auth_users:\n  alice: not-a-hash\nunknown_key: 1\n");
        try
        {
            var (code, _, stderr) = CliHarness.Run("serve", "--unprivileged", "--web.config", path);
            Assert.Equal(2, code);
            Assert.Contains($"{path}:2:", stderr, StringComparison.Ordinal);
            Assert.Contains($"{path}:3:1:", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("not-a-hash", stderr, StringComparison.Ordinal); // a plain-text password is never echoed
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public async Task With_a_web_config_every_path_asks_for_the_basic_auth_credentials()
    {
        Require.RootOrSkip();
        string path = Path.Combine(Path.GetTempPath(), $"teardown-web-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, $"basic_auth_users:\n  prometheus: {BCrypt.Net.BCrypt.HashPassword("s3cret", 4)}\n");
        int port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "teardown.dll"), "serve", "--listen", $"127.0.0.1:{port}", "--web.config", path }) psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            HttpResponseMessage? anonymous = null;
            for (var clock = Stopwatch.StartNew(); anonymous is null && clock.Elapsed < TimeSpan.FromSeconds(30);)
            {
                try
                {
                    anonymous = await http.GetAsync("/metrics");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.Equal(HttpStatusCode.Unauthorized, anonymous?.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/healthz")).StatusCode);
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("prometheus:s3cret"u8.ToArray()));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            File.Delete(path);
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
