using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Teardown.Server.Security;

/// <summary>
/// Applies a <see cref="WebConfig"/>'s TLS part to a Kestrel endpoint: certificate and chain, TLS
/// versions, cipher suites, client certificates and HTTP/2. Authentication and headers are HTTP-level
/// and live in <see cref="WebConfigApplicationBuilderExtensions.UseWebConfig"/>.
/// </summary>
public static class WebConfigKestrel
{
    /// <summary>Listens on <paramref name="endpoint"/> with the config's TLS settings (plain HTTP when it has none).</summary>
    /// <param name="options">Kestrel's options, from <c>ConfigureKestrel</c>.</param>
    /// <param name="endpoint">Where to listen; port 0 picks a free port.</param>
    /// <param name="config">A config from <see cref="WebConfigLoader.Load"/>.</param>
    public static void Apply(KestrelServerOptions options, IPEndPoint endpoint, WebConfig config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(config);
        options.Listen(endpoint, listen => listen.UseWebConfig(config));
    }

    /// <summary>
    /// Configures one listen endpoint from the config. Without TLS the endpoint speaks HTTP/1.1 only, as
    /// exporter-toolkit does (no cleartext HTTP/2); with TLS it offers HTTP/2 unless <c>http2: false</c>.
    /// </summary>
    /// <param name="listen">The endpoint.</param>
    /// <param name="config">A config from <see cref="WebConfigLoader.Load"/>.</param>
    /// <returns><paramref name="listen"/>, for chaining.</returns>
    public static ListenOptions UseWebConfig(this ListenOptions listen, WebConfig config)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Tls is not { } tls)
        {
            listen.Protocols = HttpProtocols.Http1;
            return listen;
        }

        listen.Protocols = config.HttpServerConfig.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
        var validator = new ClientCertificateValidator(tls);
        var ciphers = CipherPolicy(tls);
        listen.UseHttps(https =>
        {
            https.ServerCertificate = tls.Certificate;
            https.ServerCertificateChain = tls.CertificateChain;
            https.SslProtocols = tls.Protocols;
            https.ClientCertificateMode = Mode(tls.ClientAuth);

            // Kestrel checks revocation by default; Go does not, and an exporter must not stall on a CRL URL.
            https.CheckCertificateRevocation = false;
            if (tls.ClientAuth != ClientAuthType.NoClientCert)
            {
                https.ClientCertificateValidation = validator.Validate;
            }

            if (ciphers is not null)
            {
                https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = ciphers;
            }
        });
        return listen;
    }

    private static ClientCertificateMode Mode(ClientAuthType type) => type switch
    {
        ClientAuthType.NoClientCert => ClientCertificateMode.NoCertificate,
        ClientAuthType.RequestClientCert or ClientAuthType.VerifyClientCertIfGiven => ClientCertificateMode.AllowCertificate,
        ClientAuthType.RequireAnyClientCert or ClientAuthType.RequireAndVerifyClientCert => ClientCertificateMode.RequireCertificate,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown client auth type"),
    };

    /// <summary>The TLS 1.2 suites written plus every TLS 1.3 suite (Go's list never governs TLS 1.3), or null for OpenSSL's defaults.</summary>
    private static CipherSuitesPolicy? CipherPolicy(TlsConfig tls)
    {
        // The loader refuses cipher_suites off Linux, so the platform test only tells the analyzer what is already true.
        if (tls.CipherSuites.Count == 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        return new CipherSuitesPolicy(tls.CipherSuites.Concat(TlsNames.Tls13Suites).Distinct());
    }
}
