using System.Text.RegularExpressions;

namespace Teardown.Server.Security;

/// <summary>What a bcrypt hash looks like, as htpasswd -B and Go's bcrypt write it.</summary>
internal static partial class BcryptHash
{
    /// <summary>
    /// <c>$2a$</c>, <c>$2b$</c> or <c>$2y$</c>, a two-digit cost from 04 to 31, then 22 characters of salt
    /// and 31 of hash in bcrypt's base64 alphabet: 60 characters in all.
    /// </summary>
    [GeneratedRegex(@"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    internal static bool IsBcrypt(string text) => Shape().IsMatch(text);

    /// <summary>The cost of a hash already known to be bcrypt.</summary>
    internal static int Cost(string hash) => (hash[4] - '0') * 10 + (hash[5] - '0');
}
