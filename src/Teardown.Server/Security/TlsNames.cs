using System.Collections.Frozen;
using System.Net.Security;

namespace Teardown.Server.Security;

/// <summary>
/// The names the exporter-toolkit format takes for TLS versions, cipher suites and curves (Go's
/// crypto/tls names), and what they mean to .NET.
/// </summary>
internal static class TlsNames
{
    /// <summary>Go's <c>tls.CipherSuites()</c>: the suites Go considers secure. Its insecure list is refused there, so here too.</summary>
    private static readonly FrozenDictionary<string, TlsCipherSuite> CipherSuitesByName = new[]
    {
        TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    }.ToFrozenDictionary(suite => suite.ToString(), StringComparer.Ordinal);

    /// <summary>
    /// The TLS 1.3 suites. Go never lets <c>cipher_suites</c> govern TLS 1.3, so they are always added
    /// to the policy: without them OpenSSL would have no TLS 1.3 suite left and TLS 1.3 would fail.
    /// </summary>
    internal static readonly IReadOnlyList<TlsCipherSuite> Tls13Suites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>Go's http2 package refuses a TLS 1.2 cipher list without one of these (RFC 7540 §9.2.2's mandatory suite).</summary>
    internal static readonly IReadOnlyList<TlsCipherSuite> Http2RequiredSuites =
    [
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>exporter-toolkit's curve names.</summary>
    internal static readonly FrozenSet<string> Curves = FrozenSet.Create(StringComparer.Ordinal, "CurveP256", "CurveP384", "CurveP521", "X25519");

    internal static bool TryCipherSuite(string name, out TlsCipherSuite suite) => CipherSuitesByName.TryGetValue(name, out suite);

    internal static bool TryClientAuth(string name, out ClientAuthType type)
    {
        // RequireClientCert is the old spelling exporter-toolkit still accepts.
        (var known, type) = name switch
        {
            "NoClientCert" => (true, ClientAuthType.NoClientCert),
            "RequestClientCert" => (true, ClientAuthType.RequestClientCert),
            "RequireAnyClientCert" or "RequireClientCert" => (true, ClientAuthType.RequireAnyClientCert),
            "VerifyClientCertIfGiven" => (true, ClientAuthType.VerifyClientCertIfGiven),
            "RequireAndVerifyClientCert" => (true, ClientAuthType.RequireAndVerifyClientCert),
            _ => (false, ClientAuthType.NoClientCert),
        };
        return known;
    }

    /// <summary>Reads a TLS version; on failure the message says why, including for the versions Go knows and this server refuses.</summary>
    internal static TlsVersion? TryVersion(string name, string key, out string? error)
    {
        error = null;
        switch (name)
        {
            case "TLS12":
                return TlsVersion.Tls12;
            case "TLS13":
                return TlsVersion.Tls13;
            case "TLS10" or "TLS11":
                error = $"{key} {name} is refused: TLS 1.0 and 1.1 are obsolete in .NET and disabled by OpenSSL's default security level, so no client could connect with them; use TLS12 or TLS13";
                return null;
            default:
                error = $"unknown TLS version '{YamlNodes.Quote(name)}' for {key}; expected TLS12 or TLS13";
                return null;
        }
    }
}
