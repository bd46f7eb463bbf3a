using System.Net.Security;
using CsCheck;
using Teardown.Server.Security;

namespace Teardown.Server.Tests.Security;

public sealed class WebConfigLoaderTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    /// <summary>exporter-toolkit's docs/web-config.yml without its rate_limit (which is refused, see below).</summary>
    private const string ToolkitExample = """
        # TLS and basic authentication configuration example.
        #
        # Additionally, a certificate and a key file are needed.
        tls_server_config:
          cert_file: server.crt
          key_file: server.key

        # Usernames and passwords required to connect.
        basic_auth_users:
          alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
          bob: $2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m
        """;

    private WebConfigLoadResult Load(string yaml, string name = "web.yml") => WebConfigLoader.Load(_pki.Write(name, yaml));

    private string[] Diagnostics(string yaml) => [.. Load(yaml).Diagnostics.Select(d => d.ToString())];

    [Fact]
    public void ToolkitExample_Loads_WithTlsFromTheFilesDirectoryAndBothUsers()
    {
        var result = Load(ToolkitExample);

        Assert.Empty(result.Diagnostics);
        var config = Assert.IsType<WebConfig>(result.Config);
        var tls = Assert.IsType<TlsConfig>(config.Tls);
        Assert.Equal(_pki.PathOf("server.crt"), tls.CertFile);
        Assert.Equal(_pki.PathOf("server.key"), tls.KeyFile);
        Assert.Equal(_pki.Server.Thumbprint, tls.Certificate.Thumbprint);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Equal(ClientAuthType.NoClientCert, tls.ClientAuth);
        Assert.Equal(TlsVersion.Tls12, tls.MinVersion);
        Assert.Equal(TlsVersion.Tls13, tls.MaxVersion);
        Assert.Equal(["alice", "bob"], config.BasicAuthUsers.Hashes.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("$2y$10$mDwo", config.BasicAuthUsers.Hashes["alice"], StringComparison.Ordinal);
        Assert.True(config.HttpServerConfig.Http2);
        Assert.Empty(config.HttpServerConfig.Headers);
    }

    [Fact]
    public void EveryKeyOfTheFormat_Loads_WithItsMeaning()
    {
        var yaml = """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              client_allowed_sans: [scraper.example]
              min_version: TLS13
              max_version: TLS13
              cipher_suites:
                - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
              prefer_server_cipher_suites: false
              curve_preferences: [X25519, CurveP256]
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                Strict-Transport-Security: max-age=31536000; includeSubDomains
                X-Content-Type-Options: nosniff
                X-XSS-Protection: 1
                Content-Security-Policy: "default-src 'self'"
            basic_auth_users:
              alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
            """;
        var result = Load(yaml);

        var path = _pki.PathOf("web.yml");
        Assert.Equal([$"{path}:13:3: warning: curve_preferences is accepted but not applied: .NET offers no way to choose TLS key-exchange groups, so OpenSSL's defaults are used"],
            result.Diagnostics.Select(d => d.ToString()));
        var config = Assert.IsType<WebConfig>(result.Config);
        var tls = Assert.IsType<TlsConfig>(config.Tls);
        Assert.Equal(ClientAuthType.RequireAndVerifyClientCert, tls.ClientAuth);
        Assert.Equal(_pki.Ca.Thumbprint, Assert.Single(tls.ClientCertificateAuthorities).Thumbprint);
        Assert.Equal(["scraper.example"], tls.ClientAllowedSans);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, tls.Protocols);
        Assert.Equal([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384], tls.CipherSuites);
        Assert.Equal(["X25519", "CurveP256"], tls.CurvePreferences);
        Assert.False(config.HttpServerConfig.Http2);
        Assert.Equal(5, config.HttpServerConfig.Headers.Count);
        Assert.Equal("1", config.HttpServerConfig.Headers["X-XSS-Protection"]);
        Assert.Equal("default-src 'self'", config.HttpServerConfig.Headers["Content-Security-Policy"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    [InlineData("~\n")]
    [InlineData("tls_server_config:\nhttp_server_config:\nbasic_auth_users:\n")]
    public void EmptyFile_IsTheEmptyConfig_PlainHttpWithoutAuth(string yaml)
    {
        var result = Load(yaml);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(WebConfig.Empty.Tls, result.Config!.Tls);
        Assert.True(result.Config.BasicAuthUsers.IsEmpty);
        Assert.True(result.Config.HttpServerConfig.Http2);
    }

    [Fact]
    public void RelativePaths_AreRelativeToTheConfigFilesDirectory_NotTheWorkingDirectory()
    {
        _pki.Write("certs/tls.crt", _pki.Server.ExportCertificatePem());
        _pki.Write("certs/tls.key", _pki.ServerKeyPem);
        var absoluteKey = _pki.PathOf("server.key");
        var path = _pki.Write("conf/web.yml", $"tls_server_config:\n  cert_file: ../certs/tls.crt\n  key_file: {absoluteKey}\n");

        var result = WebConfigLoader.Load(Path.GetRelativePath(Environment.CurrentDirectory, path));

        var tls = Assert.IsType<TlsConfig>(result.Config?.Tls);
        Assert.Equal(_pki.PathOf("certs/tls.crt"), tls.CertFile);
        Assert.Equal(absoluteKey, tls.KeyFile);
    }

    [Fact]
    public void InlineCertAndKey_Load_LikeFiles()
    {
        var indent = (string pem) => string.Join("\n", pem.Trim().Split('\n').Select(l => "    " + l));
        var yaml = $"tls_server_config:\n  cert: |\n{indent(_pki.Server.ExportCertificatePem())}\n  key: |\n{indent(_pki.ServerKeyPem)}\n";

        var tls = Assert.IsType<TlsConfig>(Load(yaml).Config?.Tls);

        Assert.Null(tls.CertFile);
        Assert.Equal(_pki.Server.Thumbprint, tls.Certificate.Thumbprint);
    }

    [Fact]
    public void MissingConfigFile_IsOneDiagnosticWithoutPosition()
    {
        var path = _pki.PathOf("nope.yml");

        var result = WebConfigLoader.Load(path);

        Assert.Null(result.Config);
        Assert.Equal([$"{path}: the web config file does not exist"], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void ConfigPathThatIsADirectory_IsACleanDiagnostic()
    {
        Assert.Equal([$"{_pki.Directory}: the web config file is a directory"],
            WebConfigLoader.Load(_pki.Directory).Diagnostics.Select(d => d.ToString()));
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void UnreadableConfigFile_IsACleanDiagnostic()
    {
        var path = UnreadableFile(_pki.Write("secret.yml", ""));

        Assert.Equal([$"{path}: the web config file cannot be read: permission denied"],
            WebConfigLoader.Load(path).Diagnostics.Select(d => d.ToString()));
    }

    /// <summary>
    /// A file this process cannot read: <paramref name="path"/> with mode 000, or — as root, who reads
    /// files whatever their mode — a write-only sysctl, whose mode the kernel enforces even for root
    /// (fs/proc/proc_sysctl.c:test_perm), so the test runs under CI as root instead of skipping.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string UnreadableFile(string path)
    {
        const string WriteOnlySysctl = "/proc/sys/vm/compact_memory";
        if (!Require.IsRoot)
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
            return path;
        }

        Skip.IfNot(File.Exists(WriteOnlySysctl), $"{WriteOnlySysctl} is absent (a kernel without CONFIG_COMPACTION): as root no file is unreadable");
        return WriteOnlySysctl;
    }

    [Fact]
    public void EmptyPath_IsACleanDiagnostic()
    {
        Assert.Equal([": no web config file was named (the path is empty)"], WebConfigLoader.Load("").Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void AnyText_IsLoadedOrDiagnosed_NeverThrown()
    {
        // YAML's punctuation and this format's keys, shaken together: whatever comes out, Load must answer.
        var words = Gen.OneOf<string>(
            "tls_server_config", "http_server_config", "basic_auth_users", "cert_file", "key_file", "client_auth_type",
            "client_ca_file", "min_version", "cipher_suites", "curve_preferences", "headers", "http2", "alice",
            "server.crt", "server.key", "ca.crt", "TLS13", "X-Frame-Options", "deny", AliceHashForFuzz,
            ":", ": ", "\n", "\n  ", "\n    ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "'", "\"", "|\n", "~", "#", "---\n", "\t");
        var path = _pki.PathOf("fuzz.yml");
        words.Array[0, 30].Select(string.Concat).Sample(text =>
        {
            File.WriteAllText(path, text);
            var result = WebConfigLoader.Load(path);
            Assert.Equal(result.Config is null, result.Errors.Any());
        }, iter: 3000);
    }

    private static readonly string AliceHashForFuzz = "$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze";

    public static TheoryData<string, string> BadFiles => new()
    {
        // YAML itself
        { "tls_server_config: [\n", "2:1: YAML: While parsing a node, did not find expected node content." },
        { ": [\n[a\nb- [c\n", "1:3: YAML: the text is not valid YAML here" },
        { "basic_auth_users:\n  alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze\nbasic_auth_users:\n", "3:1: YAML: Duplicate key basic_auth_users" },
        { "- tls_server_config\n", "1:1: a web config file is a mapping with the keys tls_server_config, http_server_config, basic_auth_users; found a list" },
        { "a: 1\n---\nb: 2\n", "3:1: a web config file holds one YAML document; this is a second one" },
        // Unknown keys, as Go's strict unmarshalling
        { "tls_server_confg:\n", "1:1: unknown key 'tls_server_confg'; the keys are tls_server_config, http_server_config, basic_auth_users" },
        { "tls_server_config:\n  cert_filse: server.crt\n", "2:3: unknown key 'cert_filse' in tls_server_config; the keys are cert, key, client_ca, cert_file, key_file, client_auth_type, client_ca_file, client_allowed_sans, min_version, max_version, cipher_suites, prefer_server_cipher_suites, curve_preferences" },
        { "http_server_config:\n  http3: true\n", "2:3: unknown key 'http3' in http_server_config; the keys are headers, http2" },
        { "rate_limit:\n  interval: 1s\n  burst: 20\n", "1:1: rate_limit is part of the exporter-toolkit format but teardown serve does not implement it; remove it (put a reverse proxy in front to limit requests)" },
        // Wrong types
        { "tls_server_config: server.crt\n", "1:20: tls_server_config must be a mapping of keys to values, found 'server.crt'" },
        { "http_server_config:\n  http2: \"yes please\"\n", "2:10: http2 must be true or false, found 'yes please'" },
        { "tls_server_config:\n  cert_file: [a, b]\n  key_file: server.key\n", "2:14: cert_file must be a string, found a list" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: TLS_AES_128_GCM_SHA256\n", "4:18: cipher_suites must be a list of strings, found 'TLS_AES_128_GCM_SHA256'" },
        { "basic_auth_users:\n  - alice\n", "2:3: basic_auth_users must be a mapping of keys to values, found a list" },
        // Users
        { "basic_auth_users:\n  alice: hunter2\n", "2:10: the password of user 'alice' is not a bcrypt hash ($2a$, $2b$ or $2y$, cost, then 53 characters; e.g. from htpasswd -nBC 10 \"\"); the value is not shown, as it may be a plain-text password" },
        { "basic_auth_users:\n  alice: $1$abc$0123456789012345678901\n", "2:10: the password of user 'alice' is not a bcrypt hash ($2a$, $2b$ or $2y$, cost, then 53 characters; e.g. from htpasswd -nBC 10 \"\"); the value is not shown, as it may be a plain-text password" },
        { "basic_auth_users:\n  alice:\n", "2:9: the password of user 'alice' must be a bcrypt hash, found nothing" },
        { "basic_auth_users:\n  \"al:ice\": $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze\n", "2:3: a basic-auth user name must be non-empty and hold no ':'" },
        // Headers
        { "http_server_config:\n  headers:\n    Server: teardown\n", "3:5: header 'Server' cannot be configured; the headers are Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection" },
        { "http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "3:22: X-Frame-Options must be one of deny, sameorigin, found 'allow'" },
        { "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", "3:29: X-Content-Type-Options must be one of nosniff, found 'sniff'" },
        // TLS settings
        { "tls_server_config:\n  cert_file: server.crt\n", "1:1: tls_server_config needs key_file (or an inline key) once any TLS key is set" },
        { "tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n  key_file: server.key\n", "1:1: tls_server_config needs cert_file (or an inline cert) once any TLS key is set" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: VerifyAlways\n", "4:21: unknown client_auth_type 'VerifyAlways'; expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n", "4:19: client_ca_file is set but client_auth_type is NoClientCert, so no client certificate would ever be checked; set client_auth_type: RequireAndVerifyClientCert" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS11\n", "4:16: min_version TLS11 is refused: TLS 1.0 and 1.1 are obsolete in .NET and disabled by OpenSSL's default security level, so no client could connect with them; use TLS12 or TLS13" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  max_version: SSL3\n", "4:16: unknown TLS version 'SSL3' for max_version; expected TLS12 or TLS13" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n", "5:16: max_version TLS12 is below min_version TLS13" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - TLS_RSA_WITH_RC4_128_SHA\n", "6:5: unknown cipher suite 'TLS_RSA_WITH_RC4_128_SHA'; the names are Go's (crypto/tls CipherSuites), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n", "4:3: cipher_suites lacks TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, which HTTP/2 requires; add one, or set http_server_config.http2: false" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  curve_preferences: [CurveP999]\n", "4:23: unknown curve 'CurveP999'; expected one of CurveP256, CurveP384, CurveP521, X25519" },
        { "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n  client_allowed_sans: [a]\n", "6:3: client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert: with the others a client may send no certificate, leaving no name to match" },
        { "tls_server_config:\n  cert_file: server.crt\n  cert: x\n  key_file: server.key\n", "3:9: write cert or cert_file, not both" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFile_IsRefused_WithFileLineColumnAndMessage(string yaml, string expected)
    {
        var result = Load(yaml);

        Assert.Null(result.Config);
        Assert.Equal([$"{_pki.PathOf("web.yml")}:{expected}"], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void SeveralMistakes_AreAllReported_InFileOrder()
    {
        var yaml = "http_server_config:\n  http2: maybe\ntls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS10\nbogus: 1\n";
        var path = _pki.PathOf("web.yml");

        Assert.Equal(
            [
                $"{path}:2:10: http2 must be true or false, found 'maybe'",
                $"{path}:6:16: min_version TLS10 is refused: TLS 1.0 and 1.1 are obsolete in .NET and disabled by OpenSSL's default security level, so no client could connect with them; use TLS12 or TLS13",
                $"{path}:7:1: unknown key 'bogus'; the keys are tls_server_config, http_server_config, basic_auth_users",
            ],
            Diagnostics(yaml));
    }

    [Fact]
    public void PlainTextPassword_IsNeverQuotedBack()
    {
        var diagnostics = Diagnostics("basic_auth_users:\n  alice: correct-horse-battery-staple\n");

        Assert.DoesNotContain(diagnostics, d => d.Contains("correct-horse", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("$2a$04$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3Cd2")]
    [InlineData("$2b$12$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3Cd2")]
    [InlineData("$2y$31$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3Cd2")]
    public void BcryptHashes_OfEveryVariant_AreAccepted(string hash)
    {
        Assert.Empty(Diagnostics($"basic_auth_users:\n  alice: '{hash}'\ntls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));
    }

    [Theory]
    [InlineData("$2x$10$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3Cd2")]
    [InlineData("$2y$03$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3Cd2")]
    [InlineData("$2y$10$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3Cd")]
    [InlineData("$2y$10$abcdefghijklmnopqrstuuDM7XEvSsNdf8lf3dUUXW6Ab1b4M3C!2")]
    public void NearBcryptHashes_AreRefused(string hash)
    {
        Assert.Null(Load($"basic_auth_users:\n  alice: '{hash}'\n").Config);
    }

    [Fact]
    public void MissingCertFile_IsReportedAtItsValue_WithTheResolvedPath()
    {
        Assert.Equal([$"{_pki.PathOf("web.yml")}:2:14: cert_file {_pki.PathOf("gone.crt")} does not exist"],
            Diagnostics("tls_server_config:\n  cert_file: gone.crt\n  key_file: server.key\n"));
    }

    [Fact]
    public void CertFileWithoutCertificate_IsReported()
    {
        _pki.Write("notes.txt", "hello\n");

        Assert.Equal([$"{_pki.PathOf("web.yml")}:2:14: {_pki.PathOf("notes.txt")} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"],
            Diagnostics("tls_server_config:\n  cert_file: notes.txt\n  key_file: server.key\n"));
    }

    [Fact]
    public void KeyOfAnotherCertificate_IsReportedAsNotMatching()
    {
        _pki.Write("other.key", TestPki.OtherPair().KeyPem);

        Assert.Equal([$"{_pki.PathOf("web.yml")}:3:13: the private key in {_pki.PathOf("other.key")} does not match the certificate in {_pki.PathOf("server.crt")}"],
            Diagnostics("tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n"));
    }

    [Fact]
    public void KeyFileWithoutKey_IsReported()
    {
        Assert.Equal([$"{_pki.PathOf("web.yml")}:3:13: {_pki.PathOf("server.crt")} holds no EC private key in PEM form, and the certificate in {_pki.PathOf("server.crt")} has an EC key"],
            Diagnostics("tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n"));
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void UnreadableKeyFile_IsReported()
    {
        string key = UnreadableFile(_pki.PathOf("server.key"));

        Assert.Equal([$"{_pki.PathOf("web.yml")}:3:13: key_file {key} cannot be read: permission denied"],
            Diagnostics($"tls_server_config:\n  cert_file: server.crt\n  key_file: {key}\n"));
    }

    [Fact]
    public void ClientCaFileWithoutCertificate_IsReported()
    {
        Assert.Equal([$"{_pki.PathOf("web.yml")}:5:19: {_pki.PathOf("server.key")} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"],
            Diagnostics("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: server.key\n"));
    }

    [Fact]
    public void UsersWithoutTls_Load_WithAWarningAboutClearText()
    {
        var result = Load("basic_auth_users:\n  alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze\n");

        Assert.NotNull(result.Config);
        Assert.Equal([$"{_pki.PathOf("web.yml")}:1:1: warning: basic_auth_users without TLS: passwords cross the network in clear text; add tls_server_config"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void TlsSectionWithoutCertificate_MeansPlainHttp_WithAWarning()
    {
        var result = Load("tls_server_config:\n  min_version: TLS13\n");

        Assert.Null(result.Config!.Tls);
        Assert.Equal([$"{_pki.PathOf("web.yml")}:1:1: warning: tls_server_config names no certificate, so TLS is off and the server speaks plain HTTP; write cert_file and key_file to turn TLS on"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void UnverifiedClientCertificateModes_Load_WithAWarning()
    {
        var result = Load("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireClientCert\n");

        Assert.Equal(ClientAuthType.RequireAnyClientCert, result.Config!.Tls!.ClientAuth);
        Assert.Equal([$"{_pki.PathOf("web.yml")}:4:21: warning: client_auth_type RequireAnyClientCert does not verify client certificates: any certificate is accepted; RequireAndVerifyClientCert authenticates clients"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void ControlCharactersInKeys_CannotForgeASecondDiagnosticLine()
    {
        var diagnostic = Assert.Single(Diagnostics("\"bad\\nkey\": 1\n"));

        Assert.DoesNotContain('\n', diagnostic);
        Assert.Contains("bad\\u000akey", diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public void UsersRecord_NeverPrintsHashes()
    {
        var users = Load(ToolkitExample).Config!.BasicAuthUsers;

        Assert.Equal("BasicAuthUsers { alice, bob }", users.ToString());
    }
}
