using System.Collections.Frozen;
using YamlDotNet.RepresentationModel;

namespace Teardown.Server.Security;

/// <summary>Reads <c>basic_auth_users</c>: user name to bcrypt hash.</summary>
internal static class UsersSectionReader
{
    internal static BasicAuthUsers? Read(YamlNode value, YamlNodes nodes)
    {
        var errorsBefore = nodes.ErrorCount;
        if (nodes.Mapping(value, "basic_auth_users") is not { } mapping)
        {
            return null;
        }

        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (user, keyNode, hashNode) in nodes.Entries(mapping))
        {
            if (hashNode is not YamlScalarNode { Value: { } hash } || YamlNodes.IsNull(hashNode))
            {
                nodes.Error(hashNode, $"the password of user '{YamlNodes.Quote(user)}' must be a bcrypt hash, found {YamlNodes.Describe(hashNode)}");
                continue;
            }

            if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal))
            {
                // Basic auth sends "user:password": a name with a colon could never be told apart from its password.
                nodes.Error(keyNode, "a basic-auth user name must be non-empty and hold no ':'");
                continue;
            }

            if (!BcryptHash.IsBcrypt(hash))
            {
                // The value is not quoted back: what is not a hash is often the plain-text password itself.
                nodes.Error(hashNode, $"the password of user '{YamlNodes.Quote(user)}' is not a bcrypt hash ($2a$, $2b$ or $2y$, cost, then 53 characters; e.g. from htpasswd -nBC 10 \"\"); the value is not shown, as it may be a plain-text password");
                continue;
            }

            hashes[user] = hash;
        }

        return nodes.ErrorCount > errorsBefore ? null : new BasicAuthUsers(hashes.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
