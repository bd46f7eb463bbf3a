using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Teardown.Server.Security;

/// <summary>
/// Checks <c>Authorization: Basic</c> credentials against <see cref="BasicAuthUsers"/> with bcrypt, and
/// remembers successes so that a Prometheus scraping every 15 s does not pay bcrypt's 50–100 ms each
/// time. The cache holds at most one entry per configured user: a keyed digest (HMAC-SHA256 under a
/// per-process random key) of the last password that verified, never the password itself, compared in
/// constant time. Failures are not cached, so a flood of wrong passwords cannot push the right ones out;
/// instead bcrypt runs one at a time, which bounds what such a flood costs to one core.
/// </summary>
public sealed class BasicAuthenticator : IDisposable
{
    private readonly BasicAuthUsers _users;
    private readonly Func<string, string, bool> _verify;
    private readonly byte[] _digestKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte[]> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bcryptGate = new(1, 1);
    private readonly Lazy<string> _decoyHash;

    /// <summary>An authenticator for <paramref name="users"/>, verifying with BCrypt.Net-Next.</summary>
    /// <param name="users">The configured users; when empty every request is allowed.</param>
    public BasicAuthenticator(BasicAuthUsers users)
        : this(users, static (password, hash) => BCrypt.Net.BCrypt.Verify(password, hash))
    {
    }

    /// <summary>The seam for tests: <paramref name="verify"/>(password, hash) stands for bcrypt, so calls can be counted.</summary>
    internal BasicAuthenticator(BasicAuthUsers users, Func<string, string, bool> verify)
    {
        ArgumentNullException.ThrowIfNull(users);
        _users = users;
        _verify = verify;

        // An unknown user is still checked against a hash of the same cost, so that timing does not tell
        // which user names exist. Made on first need: it costs one bcrypt round itself.
        _decoyHash = new Lazy<string>(() => BCrypt.Net.BCrypt.HashPassword(
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            users.Hashes.Values.Select(BcryptHash.Cost).DefaultIfEmpty(10).Max()));
    }

    /// <summary>True when no users are configured, or the header carries a configured user's right password.</summary>
    /// <param name="authorization">The request's Authorization header, or null when absent.</param>
    /// <param name="cancellationToken">The request's abort token: a client gone while waiting for bcrypt needs no answer.</param>
    public async ValueTask<bool> IsAuthorizedAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (_users.IsEmpty)
        {
            return true;
        }

        if (!TryParse(authorization, out var user, out var password))
        {
            return false;
        }

        var known = _users.Hashes.TryGetValue(user, out var hash);
        var digest = HMACSHA256.HashData(_digestKey, Encoding.UTF8.GetBytes(password));
        if (known && _verified.TryGetValue(user, out var remembered) && CryptographicOperations.FixedTimeEquals(remembered, digest))
        {
            return true;
        }

        bool matches;
        await _bcryptGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            matches = _verify(password, known ? hash! : _decoyHash.Value);
        }
        finally
        {
            _bcryptGate.Release();
        }

        if (known && matches)
        {
            _verified[user] = digest;
            return true;
        }

        return false;
    }

    /// <summary>Splits <c>Basic base64(user:password)</c> at the first colon (RFC 7617: user names hold none).</summary>
    internal static bool TryParse(string? authorization, out string user, out string password)
    {
        user = password = "";
        const string scheme = "Basic ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(authorization[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(decoded);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        user = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }

    /// <summary>Releases the bcrypt gate.</summary>
    public void Dispose() => _bcryptGate.Dispose();
}
