using System.Text;
using Microsoft.AspNetCore.Http;
using Teardown.Server.Security;

namespace Teardown.Server.Tests.Security;

public sealed class BasicAuthenticatorTests : IDisposable
{
    // Cost 4, bcrypt's least, keeps the real-bcrypt tests fast; the cache does not care about cost.
    private static readonly string AliceHash = BCrypt.Net.BCrypt.HashPassword("s3cret", 4);

    private readonly BasicAuthUsers _users = new(new Dictionary<string, string>(StringComparer.Ordinal) { ["alice"] = AliceHash });
    private int _bcryptRuns;
    private readonly BasicAuthenticator _authenticator;

    public BasicAuthenticatorTests() =>
        _authenticator = new BasicAuthenticator(_users, (password, hash) =>
        {
            Interlocked.Increment(ref _bcryptRuns);
            return BCrypt.Net.BCrypt.Verify(password, hash);
        });

    public void Dispose() => _authenticator.Dispose();

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private ValueTask<bool> Check(string? header) => _authenticator.IsAuthorizedAsync(header, CancellationToken.None);

    [Fact]
    public async Task RepeatedScrapes_WithTheRightPassword_RunBcryptOnce()
    {
        for (var scrape = 0; scrape < 20; scrape++)
        {
            Assert.True(await Check(Basic("alice", "s3cret")));
        }

        Assert.Equal(1, _bcryptRuns);
    }

    [Fact]
    public async Task WrongPasswords_AreNotRemembered_EachRunsBcrypt()
    {
        Assert.False(await Check(Basic("alice", "guess")));
        Assert.False(await Check(Basic("alice", "guess")));

        Assert.Equal(2, _bcryptRuns);
    }

    [Fact]
    public async Task WrongPassword_AfterARightOne_IsStillRefused()
    {
        Assert.True(await Check(Basic("alice", "s3cret")));

        Assert.False(await Check(Basic("alice", "s3cret ")));
        Assert.True(await Check(Basic("alice", "s3cret")));
    }

    [Fact]
    public async Task UnknownUser_IsRefused_AfterABcryptRunLikeAKnownOne()
    {
        // The decoy run keeps the time of an unknown user's refusal like a known user's: names do not leak.
        Assert.False(await Check(Basic("mallory", "s3cret")));

        Assert.Equal(1, _bcryptRuns);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic YWxpY2U=")]
    public async Task MalformedOrMissingCredentials_AreRefused_WithoutBcrypt(string? header)
    {
        Assert.False(await Check(header));
        Assert.Equal(0, _bcryptRuns);
    }

    [Fact]
    public async Task SchemeIsCaseInsensitive_AndPasswordMayHoldColons()
    {
        var hash = BCrypt.Net.BCrypt.HashPassword("a:b", 4);
        using var authenticator = new BasicAuthenticator(new BasicAuthUsers(new Dictionary<string, string>(StringComparer.Ordinal) { ["bob"] = hash }));

        Assert.True(await authenticator.IsAuthorizedAsync("basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:a:b")), CancellationToken.None));
    }

    [Fact]
    public async Task NoUsers_LetsEveryRequestThrough()
    {
        using var authenticator = new BasicAuthenticator(BasicAuthUsers.None);

        Assert.True(await authenticator.IsAuthorizedAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Middleware_AnswersUnauthorizedWithTheChallenge_AndDoesNotCallTheEndpoint()
    {
        var called = false;
        var middleware = new BasicAuthMiddleware(_ => { called = true; return Task.CompletedTask; }, _authenticator);
        var context = new DefaultHttpContext();

        await middleware.InvokeAsync(context);

        Assert.False(called);
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("Basic realm=\"teardown\"", context.Response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task Middleware_RefusesTwoAuthorizationHeaders()
    {
        var middleware = new BasicAuthMiddleware(_ => Task.CompletedTask, _authenticator);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = new([Basic("alice", "s3cret"), Basic("alice", "s3cret")]);

        await middleware.InvokeAsync(context);

        Assert.Equal(401, context.Response.StatusCode);
    }

    [Fact]
    public async Task Middleware_RepeatedRequests_WithTheRightPassword_RunBcryptOnce()
    {
        var served = 0;
        var middleware = new BasicAuthMiddleware(_ => { served++; return Task.CompletedTask; }, _authenticator);
        for (var i = 0; i < 5; i++)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Authorization = Basic("alice", "s3cret");
            await middleware.InvokeAsync(context);
        }

        Assert.Equal(5, served);
        Assert.Equal(1, _bcryptRuns);
    }
}
