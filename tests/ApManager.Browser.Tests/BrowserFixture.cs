using Microsoft.Playwright;

namespace ApManager.Browser.Tests;

/// <summary>One headless Chromium for the whole suite; each test gets its own server and browser context.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public async Task InitializeAsync()
    {
        if (!Chromium.Found)
        {
            return;
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            Args = Chromium.Args,
            Timeout = 60_000,
        });
    }

    /// <summary>The browser, or a failure that says how to install one.</summary>
    public IBrowser Require() => Browser ?? throw new InvalidOperationException(Chromium.MissingMessage);

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
