using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Teardown.Server.Security;

namespace Teardown.Server.Tests.Security;

/// <summary>A real Kestrel on 127.0.0.1, configured from a web config file, spoken to over real sockets.</summary>
public sealed class WebConfigKestrelTests : IAsyncLifetime
{
    private static readonly string AliceHash = BCrypt.Net.BCrypt.HashPassword("s3cret", 4);

    private readonly TestPki _pki = new();
    private readonly List<WebApplication> _apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        _pki.Dispose();
    }

    private string TlsAndAlice(string extraTls = "", string extra = "") => $"""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
        {extraTls}
        basic_auth_users:
          alice: {AliceHash}
        {extra}
        """;

    private async Task<int> Start(string yaml)
    {
        var result = WebConfigLoader.Load(_pki.Write("web.yml", yaml));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var config = result.Config!;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => WebConfigKestrel.Apply(options, new IPEndPoint(IPAddress.Loopback, 0), config));
        var app = builder.Build();
        app.UseWebConfig(config);
        app.Run(context => context.Response.WriteAsync("ok " + context.Request.Path));
        _apps.Add(app);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address).Port;
    }

    private HttpClient Client(X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = TrustsOurServer;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler);
    }

    /// <summary>Pins the test server's certificate: the client must reach our Kestrel, not anything else.</summary>
    private bool TrustsOurServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString() == _pki.Server.Thumbprint;

    private static HttpRequestMessage Get(int port, string path, string? user = null, string? password = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{port}{path}");
        if (user is not null)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return request;
    }

    [Fact]
    public async Task WithoutCredentials_EveryPath_IsUnauthorized_WithTheBasicChallenge()
    {
        var port = await Start(TlsAndAlice());
        using var client = Client();

        foreach (var path in new[] { "/metrics", "/healthz", "/" })
        {
            using var response = await client.SendAsync(Get(port, path));

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic realm=\"teardown\"", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task WrongPassword_IsUnauthorized()
    {
        var port = await Start(TlsAndAlice());
        using var client = Client();

        using var response = await client.SendAsync(Get(port, "/metrics", "alice", "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RightPassword_IsServed()
    {
        var port = await Start(TlsAndAlice());
        using var client = Client();

        using var response = await client.SendAsync(Get(port, "/metrics", "alice", "s3cret"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok /metrics", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainHttp_ToTheTlsPort_Fails()
    {
        var port = await Start(TlsAndAlice());
        using var client = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
    }

    [Fact]
    public async Task ConfiguredHeaders_AreOnEveryResponse_401sIncluded()
    {
        var port = await Start(TlsAndAlice(extra: "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000\n"));
        using var client = Client();

        using var refused = await client.SendAsync(Get(port, "/metrics"));
        using var served = await client.SendAsync(Get(port, "/metrics", "alice", "s3cret"));

        foreach (var response in new[] { refused, served })
        {
            Assert.Equal("deny", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        }
    }

    [Fact]
    public async Task Tls13OnlyConfig_Negotiates13_AndRefusesA12OnlyClient()
    {
        var port = await Start(TlsAndAlice(extraTls: "  min_version: TLS13\n"));

        Assert.Equal(SslProtocols.Tls13, (await Handshake(port, SslProtocols.None)).Protocol);
        await Assert.ThrowsAsync<AuthenticationException>(() => Handshake(port, SslProtocols.Tls12));
    }

    [Fact]
    public async Task Tls12OnlyConfig_Negotiates12()
    {
        var port = await Start(TlsAndAlice(extraTls: "  max_version: TLS12\n"));

        Assert.Equal(SslProtocols.Tls12, (await Handshake(port, SslProtocols.None)).Protocol);
    }

    [Fact]
    public async Task CipherSuites_LimitWhatTls12Negotiates()
    {
        var port = await Start(TlsAndAlice(
            extraTls: "  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n",
            extra: "http_server_config:\n  http2: false\n"));

        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, (await Handshake(port, SslProtocols.None)).Cipher);
    }

    [Fact]
    public async Task CipherSuites_DoNotTouchTls13()
    {
        var port = await Start(TlsAndAlice(extraTls: "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"));

        Assert.Equal(SslProtocols.Tls13, (await Handshake(port, SslProtocols.None)).Protocol);
    }

    private async Task<(SslProtocols Protocol, TlsCipherSuite Cipher)> Handshake(int port, SslProtocols protocols)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = TrustsOurServer,
        });
        return (ssl.SslProtocol, ssl.NegotiatedCipherSuite);
    }

    private const string RequireClientCert = "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n";

    [Fact]
    public async Task RequiredClientCertificate_RefusesAClientWithoutOne()
    {
        var port = await Start(TlsAndAlice(extraTls: RequireClientCert));
        using var client = Client();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Get(port, "/metrics", "alice", "s3cret")));
    }

    [Fact]
    public async Task RequiredClientCertificate_AcceptsOneSignedByTheClientCa()
    {
        var port = await Start(TlsAndAlice(extraTls: RequireClientCert));
        using var client = Client(_pki.Client);

        using var response = await client.SendAsync(Get(port, "/metrics", "alice", "s3cret"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequiredClientCertificate_RefusesOneFromAnotherCa()
    {
        var port = await Start(TlsAndAlice(extraTls: RequireClientCert));
        using var stranger = TestPki.Stranger();
        using var client = Client(stranger);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Get(port, "/metrics", "alice", "s3cret")));
    }

    [Theory]
    [InlineData("scraper.example", true)]
    [InlineData("ops@example.org", true)]
    [InlineData("someone.else", false)]
    public async Task ClientAllowedSans_AdmitOnlyCertificatesNamingOne(string allowed, bool admitted)
    {
        var port = await Start(TlsAndAlice(extraTls: RequireClientCert + $"  client_allowed_sans: ['{allowed}']\n"));
        using var client = Client(_pki.Client);

        var send = client.SendAsync(Get(port, "/metrics", "alice", "s3cret"));

        if (admitted)
        {
            using var response = await send;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => send);
        }
    }

    [Theory]
    [InlineData("", "2.0")]
    [InlineData("http_server_config:\n  http2: false\n", "1.1")]
    public async Task Http2_IsOfferedOverTls_UnlessTurnedOff(string extra, string version)
    {
        var port = await Start(TlsAndAlice(extra: extra));
        using var client = Client();

        using var request = Get(port, "/", "alice", "s3cret");
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;

        using var response = await client.SendAsync(request);

        Assert.Equal(Version.Parse(version), response.Version);
    }

    [Fact]
    public async Task EmptyConfig_ServesPlainHttp_WithoutAuth()
    {
        var port = await Start("");
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
