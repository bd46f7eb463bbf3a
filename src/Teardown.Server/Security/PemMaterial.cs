using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Teardown.Server.Security;

/// <summary>
/// Reads PEM certificates and keys, turning every way they can be wrong into one plain sentence
/// (the framework's exceptions say "the content is malformed, or the key does not match", which does
/// not tell the operator which file to fix).
/// </summary>
internal static class PemMaterial
{
    /// <summary>Far above any real PEM chain; a bigger file is a wrong path (a log, a disk image), not a certificate.</summary>
    private const long MaxFileBytes = 1024 * 1024;

    /// <summary>The text of a PEM file, or an error naming the file and the reason.</summary>
    internal static string? ReadFile(string key, string path, out string? error)
    {
        error = null;
        try
        {
            if (Directory.Exists(path))
            {
                error = $"{key} {path} is a directory, not a PEM file";
                return null;
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                error = $"{key} {path} does not exist";
                return null;
            }

            if (info.Length > MaxFileBytes)
            {
                error = $"{key} {path} is {info.Length} bytes, too large for a PEM file (at most {MaxFileBytes})";
                return null;
            }

            return File.ReadAllText(path);
        }
        catch (UnauthorizedAccessException)
        {
            error = $"{key} {path} cannot be read: permission denied";
        }
        catch (IOException e)
        {
            error = $"{key} {path} cannot be read: {e.Message}";
        }

        return null;
    }

    /// <summary>Every CERTIFICATE block of a PEM text in order (other blocks are skipped, as Go does), or an error.</summary>
    internal static X509Certificate2Collection? Certificates(string pem, string source, out string? error)
    {
        error = null;
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            error = $"{source} holds a CERTIFICATE block that is not a valid certificate";
            return null;
        }

        if (certificates.Count == 0)
        {
            error = $"{source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
            return null;
        }

        return certificates;
    }

    /// <summary>
    /// The leaf certificate joined with its private key. RSA and ECDSA keys in PKCS#8, PKCS#1 or SEC1 form
    /// are read; an encrypted key is refused, since there is nowhere to give its password (nor is there
    /// in exporter-toolkit).
    /// </summary>
    internal static X509Certificate2? WithPrivateKey(X509Certificate2 leaf, string keyPem, string keySource, string certSource, out string? error)
    {
        error = null;
        if (keyPem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            error = $"{keySource} holds an encrypted private key; it must be unencrypted (there is no way to give its password)";
            return null;
        }

        try
        {
            using var rsaPublic = leaf.GetRSAPublicKey();
            if (rsaPublic is not null)
            {
                using var rsa = RSA.Create();
                if (!TryImport(() => rsa.ImportFromPem(keyPem)))
                {
                    error = $"{keySource} holds no RSA private key in PEM form, and the certificate in {certSource} has an RSA key";
                    return null;
                }

                return leaf.CopyWithPrivateKey(rsa);
            }

            using var ecdsaPublic = leaf.GetECDsaPublicKey();
            if (ecdsaPublic is not null)
            {
                using var ecdsa = ECDsa.Create();
                if (!TryImport(() => ecdsa.ImportFromPem(keyPem)))
                {
                    error = $"{keySource} holds no EC private key in PEM form, and the certificate in {certSource} has an EC key";
                    return null;
                }

                return leaf.CopyWithPrivateKey(ecdsa);
            }
        }
        catch (ArgumentException)
        {
            // CopyWithPrivateKey's way of saying the key belongs to another certificate.
            error = $"the private key in {keySource} does not match the certificate in {certSource}";
            return null;
        }
        catch (CryptographicException e)
        {
            error = $"the private key in {keySource} cannot be used with the certificate in {certSource}: {e.Message}";
            return null;
        }

        error = $"the certificate in {certSource} has a {leaf.PublicKey.Oid.FriendlyName ?? leaf.PublicKey.Oid.Value} key; only RSA and ECDSA certificates are supported";
        return null;
    }

    private static bool TryImport(Action import)
    {
        try
        {
            import();
            return true;
        }
        catch (ArgumentException)
        {
            // ImportFromPem: no PEM block it can read.
            return false;
        }
        catch (CryptographicException)
        {
            // A block with the right label whose contents do not decode.
            return false;
        }
    }
}
