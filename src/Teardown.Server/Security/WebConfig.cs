using System.Collections.Frozen;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Teardown.Server.Security;

/// <summary>
/// A web config file in the Prometheus exporter-toolkit format (<c>--web.config.file</c>), loaded and
/// checked by <see cref="WebConfigLoader"/>: TLS, basic-auth users and response headers. The empty
/// file is valid and means plain HTTP without authentication.
/// </summary>
/// <param name="Tls">The TLS settings, or null to serve plain HTTP (no TLS key was written).</param>
/// <param name="BasicAuthUsers">The users allowed in; empty means no authentication.</param>
/// <param name="HttpServerConfig">Response headers and HTTP/2.</param>
public sealed record WebConfig(TlsConfig? Tls, BasicAuthUsers BasicAuthUsers, HttpServerConfig HttpServerConfig)
{
    /// <summary>What an empty file means: plain HTTP, no authentication, no extra headers, HTTP/2 allowed.</summary>
    public static WebConfig Empty { get; } = new(null, BasicAuthUsers.None, HttpServerConfig.Default);
}

/// <summary>
/// <c>tls_server_config</c>, with its certificates already loaded, so that what was checked at load is
/// exactly what is served (a file replaced between checking and serving cannot slip in).
/// </summary>
/// <param name="Certificate">The server certificate with its private key (<c>cert_file</c>+<c>key_file</c>, or inline <c>cert</c>+<c>key</c>).</param>
/// <param name="CertificateChain">Further certificates found after the first in the certificate PEM (intermediates), sent to clients.</param>
/// <param name="CertFile">The resolved <c>cert_file</c>, or null when the certificate was inline.</param>
/// <param name="KeyFile">The resolved <c>key_file</c>, or null when the key was inline.</param>
/// <param name="ClientAuth">How client certificates are asked for and checked (<c>client_auth_type</c>).</param>
/// <param name="ClientCertificateAuthorities">The trust anchors for client certificates (<c>client_ca_file</c> or <c>client_ca</c>); empty means the system's trust store.</param>
/// <param name="ClientCaFile">The resolved <c>client_ca_file</c>, or null.</param>
/// <param name="ClientAllowedSans">When not empty, a verified client certificate must carry one of these subject alternative names (DNS, IP, e-mail or URI), compared exactly.</param>
/// <param name="MinVersion">The lowest TLS version accepted (<c>min_version</c>, default TLS 1.2).</param>
/// <param name="MaxVersion">The highest TLS version accepted (<c>max_version</c>, default TLS 1.3).</param>
/// <param name="CipherSuites">The TLS 1.2 cipher suites allowed (<c>cipher_suites</c>); empty means OpenSSL's defaults. TLS 1.3 suites are always all allowed, as in Go, where this list does not govern TLS 1.3.</param>
/// <param name="CurvePreferences">The curve names written (<c>curve_preferences</c>): checked, but not applied, since .NET offers no way to choose the key-exchange groups; the loader says so in a warning.</param>
public sealed record TlsConfig(
    X509Certificate2 Certificate,
    X509Certificate2Collection CertificateChain,
    string? CertFile,
    string? KeyFile,
    ClientAuthType ClientAuth,
    X509Certificate2Collection ClientCertificateAuthorities,
    string? ClientCaFile,
    IReadOnlyList<string> ClientAllowedSans,
    TlsVersion MinVersion,
    TlsVersion MaxVersion,
    IReadOnlyList<TlsCipherSuite> CipherSuites,
    IReadOnlyList<string> CurvePreferences)
{
    /// <summary>The protocol versions from <see cref="MinVersion"/> to <see cref="MaxVersion"/>, as SslStream takes them.</summary>
    public SslProtocols Protocols => (MinVersion, MaxVersion) switch
    {
        (TlsVersion.Tls12, TlsVersion.Tls12) => SslProtocols.Tls12,
        (TlsVersion.Tls13, TlsVersion.Tls13) => SslProtocols.Tls13,
        _ => SslProtocols.Tls12 | SslProtocols.Tls13,
    };
}

/// <summary>
/// <c>client_auth_type</c>: Go's <c>tls.ClientAuthType</c> names. Only
/// <see cref="RequireAndVerifyClientCert"/> authenticates clients; the others are weaker on purpose.
/// </summary>
public enum ClientAuthType
{
    /// <summary>No client certificate is asked for (the default).</summary>
    NoClientCert,

    /// <summary>A certificate is asked for, not required, and not verified.</summary>
    RequestClientCert,

    /// <summary>A certificate is required but not verified (also spelt <c>RequireClientCert</c>).</summary>
    RequireAnyClientCert,

    /// <summary>A certificate is optional; one that is sent must verify against the client CAs.</summary>
    VerifyClientCertIfGiven,

    /// <summary>A certificate is required and must verify against the client CAs.</summary>
    RequireAndVerifyClientCert,
}

/// <summary>
/// The TLS versions <c>min_version</c>/<c>max_version</c> may name. TLS10 and TLS11 are refused by the
/// loader: .NET marks them obsolete and current OpenSSL builds refuse them at their default security
/// level, so accepting them would promise a handshake that cannot happen.
/// </summary>
public enum TlsVersion
{
    /// <summary>TLS 1.2.</summary>
    Tls12,

    /// <summary>TLS 1.3.</summary>
    Tls13,
}

/// <summary>
/// <c>basic_auth_users</c>: user name to bcrypt hash. The hashes were checked to be bcrypt at load.
/// The record's printed form never shows them.
/// </summary>
/// <param name="Hashes">User name (compared exactly) to its bcrypt hash.</param>
public sealed record BasicAuthUsers(IReadOnlyDictionary<string, string> Hashes)
{
    /// <summary>No users: authentication is off.</summary>
    public static BasicAuthUsers None { get; } = new(FrozenDictionary<string, string>.Empty);

    /// <summary>True when no user is configured, so requests need no credentials.</summary>
    public bool IsEmpty => Hashes.Count == 0;

    /// <summary>Names only: a hash in a log is an offline-cracking target, so it is never printed.</summary>
    public override string ToString() => $"BasicAuthUsers {{ {string.Join(", ", Hashes.Keys.Order(StringComparer.Ordinal))} }}";
}

/// <summary><c>http_server_config</c>.</summary>
/// <param name="Headers">Headers set on every response (exporter-toolkit's five security headers only).</param>
/// <param name="Http2">Whether HTTP/2 is offered (over TLS only, as in exporter-toolkit; default true).</param>
public sealed record HttpServerConfig(IReadOnlyDictionary<string, string> Headers, bool Http2)
{
    /// <summary>No headers, HTTP/2 allowed.</summary>
    public static HttpServerConfig Default { get; } = new(FrozenDictionary<string, string>.Empty, Http2: true);
}
