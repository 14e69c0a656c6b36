using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApManager.Browser.Tests;

/// <summary>One test's world: a fresh service, a browser context at a laptop size, the dashboard page and its console errors.</summary>
public sealed partial class DashboardSession : IAsyncDisposable
{
    [System.Text.RegularExpressions.GeneratedRegex("^Failed to load resource: the server responded with a status of (400|401|403|404|409|412)")]
    private static partial System.Text.RegularExpressions.Regex ExpectedRefusal();

    private DashboardSession(DashboardServer server, IBrowserContext context, IPage page)
    {
        Server = server;
        Context = context;
        Page = page;
    }

    public DashboardServer Server { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Errors the page logged or threw; a test asserts there are none.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<DashboardSession> OpenAsync(BrowserFixture browser, int width = 1366, int height = 768)
    {
        SetDefaultExpectTimeout(10_000);
        var server = DashboardServer.Start();
        var context = await browser.Require().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(10_000);
        var session = new DashboardSession(server, context, page);
        page.Console += (_, message) =>
        {
            // Chromium logs every 4xx answer as "Failed to load resource"; refusals are expected here, server errors are not.
            if (message.Type == "error" && !ExpectedRefusal().IsMatch(message.Text))
            {
                session.Errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => session.Errors.Add($"page error: {error}");
        return session;
    }

    /// <summary>Opens the dashboard and signs in with the admin key; waits until the grid and the event stream are up.</summary>
    public async Task SignInAsync(string key = DashboardServer.AdminKey)
    {
        await Page.GotoAsync("/");
        await Expect(Page.Locator("#signin-form")).ToBeVisibleAsync();
        await Page.FillAsync("#credential", key);
        await Page.PressAsync("#credential", "Enter");
        await Expect(Cell("03.0004")).ToBeVisibleAsync();
        await Expect(Page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
    }

    public ILocator Cell(string apqn) => Page.Locator($"#grid td[data-apqn='{apqn}']");

    public ILocator AdapterHeader(int id) => Page.Locator($"#grid th[data-adapter='{id}']");

    public ILocator DomainHeader(int id) => Page.Locator($"#grid th[data-domain='{id}']");

    public async Task<string[]> OffendersAsync() =>
        [.. (await Page.Locator("#grid td.offender").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.apqn)")).Order(StringComparer.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await Server.DisposeAsync();
    }
}
