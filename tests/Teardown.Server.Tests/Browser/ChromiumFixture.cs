namespace Teardown.Server.Tests.Browser;

/// <summary>
/// Starts the shared browser once for every test in <see cref="ChromiumCollection"/>. Without
/// Chromium it starts nothing, so that the tests themselves decide: skip, or fail under CI.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private ChromiumSession? _session;

    /// <summary>The browser, after the Require rule: skips (or fails under CI) when there is none.</summary>
    public ChromiumSession Session
    {
        get
        {
            RequireChromium.OrSkip();
            return _session ?? throw new InvalidOperationException("Chromium is installed but the session did not start");
        }
    }

    public async Task InitializeAsync()
    {
        if (ChromiumSession.IsInstalled)
        {
            _session = await ChromiumSession.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Chromium";
}
