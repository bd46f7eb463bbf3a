using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Teardown.Server.Tests.Security;

/// <summary>
/// A throw-away PKI made in the test: a CA, a server certificate for 127.0.0.1/localhost and a client
/// certificate, all signed by the CA, written as PEM files into a temporary directory.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    internal TestPki()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("teardown-webconfig-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=teardown test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        (Server, ServerKeyPem) = Issue("CN=localhost", ServerAuth, sans => { sans.AddIpAddress(IPAddress.Loopback); sans.AddDnsName("localhost"); });
        (Client, ClientKeyPem) = Issue("CN=scraper", ClientAuth, sans => { sans.AddDnsName("scraper.example"); sans.AddEmailAddress("ops@example.org"); });
        File.WriteAllText(Path.Combine(Directory, "ca.crt"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "server.crt"), Server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "server.key"), ServerKeyPem);
    }

    internal string Directory { get; }

    internal X509Certificate2 Ca { get; }

    internal X509Certificate2 Server { get; }

    internal string ServerKeyPem { get; }

    /// <summary>A client certificate with its private key, signed by <see cref="Ca"/>.</summary>
    internal X509Certificate2 Client { get; }

    internal string ClientKeyPem { get; }

    internal string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Writes a file next to the PEM files and returns its path.</summary>
    internal string Write(string name, string text)
    {
        var path = PathOf(name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A certificate from another, unrelated CA (self-signed), for clients the server must refuse.</summary>
    internal static X509Certificate2 Stranger()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=stranger", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A fresh self-signed certificate and key, unrelated to this PKI.</summary>
    internal static (string CertPem, string KeyPem) OtherPair()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=other", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private (X509Certificate2 Certificate, string KeyPem) Issue(string subject, Oid usage, Action<SubjectAlternativeNameBuilder> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        var sans = new SubjectAlternativeNameBuilder();
        names(sans);
        request.CertificateExtensions.Add(sans.Build());
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(8));
        return (issued.CopyWithPrivateKey(key), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
