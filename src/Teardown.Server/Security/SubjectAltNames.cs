using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Teardown.Server.Security;

/// <summary>
/// The subject alternative names of a certificate as text, for <c>client_allowed_sans</c>: DNS names,
/// e-mail addresses, URIs and IP addresses, the four kinds exporter-toolkit matches. .NET's own
/// extension type only lists DNS names and IPs, so the extension is read here.
/// </summary>
internal static class SubjectAltNames
{
    private const string Oid = "2.5.29.17";

    internal static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != Oid)
            {
                continue;
            }

            try
            {
                Read(extension.RawData, names);
            }
            catch (AsnContentException)
            {
                // A malformed extension names nobody: the certificate then matches no allowed SAN.
                return [];
            }
        }

        return names;
    }

    private static void Read(byte[] der, List<string> names)
    {
        var generalNames = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        while (generalNames.HasData)
        {
            var tag = generalNames.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific || tag.IsConstructed)
            {
                _ = generalNames.ReadEncodedValue();
                continue;
            }

            switch (tag.TagValue)
            {
                case 1 or 2 or 6:
                    // rfc822Name, dNSName, uniformResourceIdentifier: IA5String under an implicit tag.
                    names.Add(generalNames.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 7:
                    var address = generalNames.ReadOctetString(tag);
                    if (address.Length is 4 or 16)
                    {
                        names.Add(new IPAddress(address).ToString());
                    }

                    break;
                default:
                    _ = generalNames.ReadEncodedValue();
                    break;
            }
        }
    }
}
