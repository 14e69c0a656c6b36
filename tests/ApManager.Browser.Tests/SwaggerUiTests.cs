using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApManager.Browser.Tests;

/// <summary>
/// Swagger UI as a new user meets it: the key given to Authorize survives a reload, and a mask
/// write sent as raw text/plain goes through with the example Swagger UI fills in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SwaggerUiTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_authorization_survives_a_reload_and_a_raw_text_mask_write_works()
    {
        await using var session = await DashboardSession.OpenAsync(browser);
        var page = session.Page;
        await page.GotoAsync("/swagger/index.html");
        await page.Locator(".btn.authorize").ClickAsync();
        await page.Locator(".auth-container input").FillAsync(DashboardServer.AdminKey);
        await page.Locator(".auth-btn-wrapper .btn.authorize").ClickAsync();
        await page.Locator(".btn-done").ClickAsync();

        await page.ReloadAsync();

        await Expect(page.Locator(".btn.authorize.locked")).ToBeVisibleAsync();
        var operation = page.Locator("#operations-Bus-WriteApmask");
        await operation.Locator(".opblock-summary").ClickAsync();
        await operation.Locator(".body-param-content-type select").SelectOptionAsync("text/plain");
        await Expect(operation.Locator("textarea.body-param__text")).ToHaveValueAsync("-7");
        await operation.Locator(".btn.execute").ClickAsync();
        await Expect(operation.Locator(".live-responses-table tr.response .response-col_status").First).ToHaveTextAsync("200");
        using var http = session.Server.Http();
        Assert.Contains("\"apmask\":\"0xf8ff", await http.GetStringAsync("/api/bus"), StringComparison.Ordinal);
        Assert.Empty(session.Errors);
    }
}
