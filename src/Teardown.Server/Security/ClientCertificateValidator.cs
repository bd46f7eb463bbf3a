using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Teardown.Server.Security;

/// <summary>
/// Decides whether a client certificate is accepted, following <c>client_auth_type</c>: the
/// "Request"/"RequireAny" modes accept any certificate (exporter-toolkit's meaning, warned about at
/// load), the "Verify" modes build a chain to the configured client CAs as the only trust anchors (or
/// to the system store when none are configured, as Go does), then <c>client_allowed_sans</c> applies.
/// </summary>
internal sealed class ClientCertificateValidator(TlsConfig tls)
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>Kestrel's <c>ClientCertificateValidation</c> callback; it is only called when a certificate was sent.</summary>
    internal bool Validate(X509Certificate2 certificate, X509Chain? offered, SslPolicyErrors errors)
    {
        var trusted = tls.ClientAuth switch
        {
            ClientAuthType.VerifyClientCertIfGiven or ClientAuthType.RequireAndVerifyClientCert =>
                tls.ClientCertificateAuthorities.Count > 0 ? ChainsToAuthorities(certificate, offered) : errors == SslPolicyErrors.None,
            _ => true,
        };
        return trusted && HasAllowedName(certificate);
    }

    private bool ChainsToAuthorities(X509Certificate2 certificate, X509Chain? offered)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(tls.ClientCertificateAuthorities);

        // Go checks no revocation either; fetching CRLs or OCSP from an exporter would stall scrapes on a dead URL.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // Go's RequireAndVerifyClientCert demands the client-auth usage (a certificate without EKU allows any).
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (offered is not null)
        {
            // Intermediates the client sent along, so that a CA file holding only the root suffices.
            foreach (var element in offered.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private bool HasAllowedName(X509Certificate2 certificate) =>
        tls.ClientAllowedSans.Count == 0
        || SubjectAltNames.Of(certificate).Any(name => tls.ClientAllowedSans.Contains(name, StringComparer.Ordinal));
}
