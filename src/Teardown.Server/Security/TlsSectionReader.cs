using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.RepresentationModel;

namespace Teardown.Server.Security;

/// <summary>
/// Reads <c>tls_server_config</c>: every key of the exporter-toolkit format, the checks exporter-toolkit
/// makes (and a few it leaves to the first failing handshake), then the certificates themselves.
/// </summary>
internal static class TlsSectionReader
{
    private const string Section = "tls_server_config";

    private static readonly string[] KnownKeys =
    [
        "cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file",
        "client_allowed_sans", "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites",
        "curve_preferences",
    ];

    /// <summary>The keys as written, before any check that involves two of them.</summary>
    private sealed class Written
    {
        internal Located<string>? Cert, Key, ClientCa, CertFile, KeyFile, ClientCaFile;
        internal Located<ClientAuthType>? ClientAuth;
        internal Located<TlsVersion>? MinVersion, MaxVersion;
        internal Located<List<string>>? ClientAllowedSans, Curves;
        internal Located<List<TlsCipherSuite>>? CipherSuites;
        internal bool AnyKey;
    }

    /// <summary>The TLS config, or null when TLS is off or the section has errors (recorded in <paramref name="nodes"/>).</summary>
    internal static TlsConfig? Read(YamlNode sectionKey, YamlNode sectionValue, string baseDirectory, bool http2, YamlNodes nodes)
    {
        var errorsBefore = nodes.ErrorCount;
        var mapping = nodes.Mapping(sectionValue, Section);
        if (mapping is null)
        {
            return null;
        }

        var written = ReadKeys(mapping, nodes);
        var enabled = written.Cert is not null || written.Key is not null || written.ClientCa is not null
            || written.CertFile is not null || written.KeyFile is not null || written.ClientCaFile is not null
            || written.ClientAuth is not null;
        if (!enabled)
        {
            if (written.AnyKey && nodes.ErrorCount == errorsBefore)
            {
                // exporter-toolkit serves plain HTTP here without a word; someone who wrote min_version surely meant TLS.
                nodes.Warning(sectionKey, $"{Section} names no certificate, so TLS is off and the server speaks plain HTTP; write cert_file and key_file to turn TLS on");
            }

            return null;
        }

        CheckCombinations(sectionKey, written, http2, readErrors: nodes.ErrorCount > errorsBefore, nodes);
        var certificate = LoadServerCertificate(written, baseDirectory, nodes);
        var authorities = LoadClientAuthorities(written, baseDirectory, nodes);
        if (nodes.ErrorCount > errorsBefore)
        {
            return null;
        }

        if (certificate is not { } server || authorities is null)
        {
            // Returning null without an error would be read as "TLS off" and serve plain HTTP: never silently.
            throw new InvalidOperationException("TLS was asked for, nothing was loaded, and no error says why");
        }

        WarnAboutValidity(written, server.Leaf, nodes);
        return new TlsConfig(
            server.Leaf,
            server.Chain,
            Resolve(baseDirectory, written.CertFile),
            Resolve(baseDirectory, written.KeyFile),
            written.ClientAuth?.Value ?? ClientAuthType.NoClientCert,
            authorities,
            Resolve(baseDirectory, written.ClientCaFile),
            written.ClientAllowedSans?.Value ?? [],
            written.MinVersion?.Value ?? TlsVersion.Tls12,
            written.MaxVersion?.Value ?? TlsVersion.Tls13,
            written.CipherSuites?.Value ?? [],
            written.Curves?.Value ?? []);
    }

    private static Written ReadKeys(YamlMappingNode mapping, YamlNodes nodes)
    {
        var written = new Written();
        foreach (var (key, keyNode, value) in nodes.Entries(mapping))
        {
            written.AnyKey = true;
            switch (key)
            {
                case "cert": written.Cert = NonEmpty(nodes.String(value, key), value); break;
                case "key": written.Key = NonEmpty(nodes.String(value, key), value); break;
                case "client_ca": written.ClientCa = NonEmpty(nodes.String(value, key), value); break;
                case "cert_file": written.CertFile = NonEmpty(nodes.String(value, key), value); break;
                case "key_file": written.KeyFile = NonEmpty(nodes.String(value, key), value); break;
                case "client_ca_file": written.ClientCaFile = NonEmpty(nodes.String(value, key), value); break;
                case "client_auth_type": written.ClientAuth = ReadClientAuth(value, nodes); break;
                case "min_version": written.MinVersion = ReadVersion(value, key, nodes); break;
                case "max_version": written.MaxVersion = ReadVersion(value, key, nodes); break;
                case "client_allowed_sans": written.ClientAllowedSans = ReadStrings(value, keyNode, key, nodes); break;
                case "cipher_suites": written.CipherSuites = ReadCipherSuites(value, keyNode, nodes); break;
                case "curve_preferences": written.Curves = ReadCurves(value, keyNode, nodes); break;
                case "prefer_server_cipher_suites":
                    // Checked, then ignored: Go itself ignores it since 1.18 and lets the server's order win.
                    _ = nodes.Bool(value, key);
                    break;
                default:
                    nodes.Error(keyNode, $"unknown key '{YamlNodes.Quote(key)}' in {Section}; the keys are {string.Join(", ", KnownKeys)}");
                    break;
            }
        }

        return written;
    }

    /// <summary>Go treats an empty string as an absent field; so do we, keeping the node for positions.</summary>
    private static Located<string>? NonEmpty(string? text, YamlNode node) => string.IsNullOrEmpty(text) ? null : new Located<string>(text, node);

    private static Located<ClientAuthType>? ReadClientAuth(YamlNode value, YamlNodes nodes)
    {
        var text = nodes.String(value, "client_auth_type");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (TlsNames.TryClientAuth(text, out var type))
        {
            return new Located<ClientAuthType>(type, value);
        }

        nodes.Error(value, $"unknown client_auth_type '{YamlNodes.Quote(text)}'; expected one of {string.Join(", ", Enum.GetNames<ClientAuthType>())}");
        return null;
    }

    private static Located<TlsVersion>? ReadVersion(YamlNode value, string key, YamlNodes nodes)
    {
        var text = nodes.String(value, key);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (TlsNames.TryVersion(text, key, out var error) is { } version)
        {
            return new Located<TlsVersion>(version, value);
        }

        nodes.Error(value, error!);
        return null;
    }

    private static Located<List<string>>? ReadStrings(YamlNode value, YamlNode keyNode, string key, YamlNodes nodes) =>
        nodes.StringList(value, key) is { } items ? new Located<List<string>>([.. items.Select(i => i.Text)], keyNode) : null;

    private static Located<List<TlsCipherSuite>>? ReadCipherSuites(YamlNode value, YamlNode keyNode, YamlNodes nodes)
    {
        if (nodes.StringList(value, "cipher_suites") is not { } items)
        {
            return null;
        }

        var suites = new List<TlsCipherSuite>();
        foreach (var (text, node) in items)
        {
            if (TlsNames.TryCipherSuite(text, out var suite))
            {
                suites.Add(suite);
            }
            else
            {
                nodes.Error(node, $"unknown cipher suite '{YamlNodes.Quote(text)}'; the names are Go's (crypto/tls CipherSuites), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
            }
        }

        if (suites.Count > 0 && !OperatingSystem.IsLinux())
        {
            nodes.Error(keyNode, "cipher_suites can only be applied on Linux (OpenSSL); remove it on this system");
        }

        return suites.Count == items.Count ? new Located<List<TlsCipherSuite>>(suites, keyNode) : null;
    }

    private static Located<List<string>>? ReadCurves(YamlNode value, YamlNode keyNode, YamlNodes nodes)
    {
        if (nodes.StringList(value, "curve_preferences") is not { } items)
        {
            return null;
        }

        var unknown = items.Where(i => !TlsNames.Curves.Contains(i.Text)).ToList();
        foreach (var (text, node) in unknown)
        {
            nodes.Error(node, $"unknown curve '{YamlNodes.Quote(text)}'; expected one of CurveP256, CurveP384, CurveP521, X25519");
        }

        if (unknown.Count == 0 && items.Count > 0)
        {
            nodes.Warning(keyNode, "curve_preferences is accepted but not applied: .NET offers no way to choose TLS key-exchange groups, so OpenSSL's defaults are used");
        }

        return unknown.Count == 0 ? new Located<List<string>>([.. items.Select(i => i.Text)], keyNode) : null;
    }

    private static void CheckCombinations(YamlNode sectionKey, Written w, bool http2, bool readErrors, YamlNodes nodes)
    {
        // Both forms at once: exporter-toolkit silently prefers the file; refusing says which one would be served.
        if (w.Cert is { } cert && w.CertFile is not null)
        {
            nodes.Error(cert.Node, "write cert or cert_file, not both");
        }

        if (w.Key is { } key && w.KeyFile is not null)
        {
            nodes.Error(key.Node, "write key or key_file, not both");
        }

        if (w.ClientCa is { } ca && w.ClientCaFile is not null)
        {
            nodes.Error(ca.Node, "write client_ca or client_ca_file, not both");
        }

        // A cert_file of the wrong type was reported already; "needs cert_file" would only repeat it.
        if (w.Cert is null && w.CertFile is null && !readErrors)
        {
            nodes.Error(sectionKey, $"{Section} needs cert_file (or an inline cert) once any TLS key is set");
        }

        if (w.Key is null && w.KeyFile is null && !readErrors)
        {
            nodes.Error(sectionKey, $"{Section} needs key_file (or an inline key) once any TLS key is set");
        }

        var clientAuth = w.ClientAuth?.Value ?? ClientAuthType.NoClientCert;
        if ((w.ClientCaFile ?? w.ClientCa) is { } caNode && clientAuth == ClientAuthType.NoClientCert)
        {
            var name = w.ClientCaFile is not null ? "client_ca_file" : "client_ca";
            nodes.Error(caNode.Node, $"{name} is set but client_auth_type is NoClientCert, so no client certificate would ever be checked; set client_auth_type: RequireAndVerifyClientCert");
        }

        if (w.ClientAuth is { Value: ClientAuthType.RequestClientCert or ClientAuthType.RequireAnyClientCert } weak)
        {
            nodes.Warning(weak.Node, $"client_auth_type {weak.Value} does not verify client certificates: any certificate is accepted; RequireAndVerifyClientCert authenticates clients");
        }

        if (w.ClientAllowedSans is { Value.Count: > 0 } sans
            && clientAuth is not (ClientAuthType.RequireAnyClientCert or ClientAuthType.RequireAndVerifyClientCert))
        {
            nodes.Error(sans.Node, "client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert: with the others a client may send no certificate, leaving no name to match");
        }

        if (w.MinVersion is { } min && w.MaxVersion is { } max && min.Value > max.Value)
        {
            nodes.Error(max.Node, $"max_version {Name(max.Value)} is below min_version {Name(min.Value)}");
        }

        // Go's HTTP/2 server refuses a TLS 1.2 list without the suite RFC 7540 makes mandatory; with TLS 1.3 the list does not apply.
        if (http2 && w.CipherSuites is { Value.Count: > 0 } suites && (w.MinVersion?.Value ?? TlsVersion.Tls12) == TlsVersion.Tls12
            && !suites.Value.Intersect(TlsNames.Http2RequiredSuites).Any())
        {
            nodes.Error(suites.Node, "cipher_suites lacks TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, which HTTP/2 requires; add one, or set http_server_config.http2: false");
        }
    }

    private static string Name(TlsVersion version) => version == TlsVersion.Tls12 ? "TLS12" : "TLS13";

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain)? LoadServerCertificate(Written w, string baseDirectory, YamlNodes nodes)
    {
        var certPem = Text(w.CertFile, w.Cert, "cert_file", "cert", baseDirectory, nodes, out var certSource);
        var keyPem = Text(w.KeyFile, w.Key, "key_file", "key", baseDirectory, nodes, out var keySource);
        if (certPem is null || keyPem is null)
        {
            return null;
        }

        var certNode = (w.CertFile ?? w.Cert)!.Value.Node;
        var keyNode = (w.KeyFile ?? w.Key)!.Value.Node;
        if (PemMaterial.Certificates(certPem, certSource, out var error) is not { } certificates)
        {
            nodes.Error(certNode, error!);
            return null;
        }

        var leaf = PemMaterial.WithPrivateKey(certificates[0], keyPem, keySource, certSource, out error);
        if (leaf is null)
        {
            nodes.Error(keyNode, error!);
            return null;
        }

        certificates.RemoveAt(0);
        return (leaf, certificates);
    }

    private static X509Certificate2Collection? LoadClientAuthorities(Written w, string baseDirectory, YamlNodes nodes)
    {
        if (w.ClientCaFile is null && w.ClientCa is null)
        {
            return [];
        }

        var pem = Text(w.ClientCaFile, w.ClientCa, "client_ca_file", "client_ca", baseDirectory, nodes, out var source);
        if (pem is null)
        {
            return null;
        }

        var authorities = PemMaterial.Certificates(pem, source, out var error);
        if (authorities is null)
        {
            nodes.Error((w.ClientCaFile ?? w.ClientCa)!.Value.Node, error!);
        }

        return authorities;
    }

    /// <summary>The PEM text from the file key if written, else from the inline key; <paramref name="source"/> names it for messages.</summary>
    private static string? Text(Located<string>? file, Located<string>? inline, string fileKey, string inlineKey, string baseDirectory, YamlNodes nodes, out string source)
    {
        if (file is { } f)
        {
            source = Resolve(baseDirectory, f)!;
            var text = PemMaterial.ReadFile(fileKey, source, out var error);
            if (text is null)
            {
                nodes.Error(f.Node, error!);
            }

            return text;
        }

        source = $"the inline {inlineKey}";
        return inline?.Value;
    }

    /// <summary>Relative paths are relative to the web config file's directory, as in exporter-toolkit, not to the working directory.</summary>
    private static string? Resolve(string baseDirectory, Located<string>? path) =>
        path is { } p ? Path.GetFullPath(p.Value, baseDirectory) : null;

    private static void WarnAboutValidity(Written w, X509Certificate2 leaf, YamlNodes nodes)
    {
        var node = (w.CertFile ?? w.Cert)!.Value.Node;
        var now = DateTime.Now;
        if (leaf.NotAfter < now)
        {
            nodes.Warning(node, $"the server certificate expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; clients that verify it will refuse to connect");
        }
        else if (leaf.NotBefore > now)
        {
            nodes.Warning(node, $"the server certificate is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; clients that verify it will refuse to connect");
        }
    }
}
