using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApManager.Browser.Tests;

/// <summary>The After reboot tab: defining a device through its card, the boot preview following changes made elsewhere, the simulated reboot.</summary>
[Collection(BrowserCollection.Name)]
public class PersistenceDashboardTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task ADeviceDefinedInTheDashboardOnceTheBootMasksAllowItStartsInThePreviewAndTheSimulatedRebootBringsItBackWithoutGuests()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        await s.SignInAsync();
        using var http = s.Server.Http();
        const string a = DashboardServer.DeviceA;
        const string b = DashboardServer.DeviceB;

        // Nothing is defined yet: nothing comes back.
        await page.ClickAsync("#tab-boot");
        await Expect(page.Locator("#boot-started")).ToContainTextAsync("No matrix device would start");
        await Expect(page.Locator("#boot-defs")).ToContainTextAsync("No definitions");

        // Define A (start auto) from its card. No rules file yet: the host would boot with the kernel's default
        // masks (every adapter to the host), so A could not start: refused, both APQNs named, nothing written.
        await page.ClickAsync("#tab-mdevs");
        await page.ClickAsync($"#mdev-{a}-define");
        var conflict = page.Locator(".problem[data-type='/problems/definition-conflict']");
        await Expect(conflict).ToBeVisibleAsync();
        await Expect(conflict.Locator("tr[data-apqn]")).ToHaveCountAsync(2);
        await Expect(page.Locator($"#mdev-{a}-define")).ToBeVisibleAsync();

        // An accepted persistent mask change by another client (chzdev -p apmask=-7, relative to the active
        // mask without 5 and 6) shows without a reload.
        var accepted = await http.PutAsync("/api/bus/persistent", DashboardServer.Json("{\"apmask\":\"-7\"}"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var bootApmask = (string)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["bootApmask"]!;
        await page.ClickAsync("#tab-boot");
        await Expect(page.Locator("#boot-apmask")).ToHaveAttributeAsync("data-value", bootApmask);
        await Expect(page.Locator("#boot-apmask")).ToContainTextAsync("kept in the rules file");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("definitions-changed");

        // Now A can be defined from its card, and the preview shows it starting with its matrix and guest matrix.
        await page.ClickAsync("#tab-mdevs");
        await page.ClickAsync($"#mdev-{a}-define");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("defined");
        await Expect(page.Locator($"#mdev-{a}-undefine")).ToBeVisibleAsync();
        await page.ClickAsync("#tab-boot");
        await Expect(page.Locator($"#boot-defs li[data-uuid='{a}']")).ToHaveAttributeAsync("data-start", "auto");
        await Expect(page.Locator($"#boot-defs li[data-uuid='{a}']")).ToContainTextAsync("payments-a");
        await Expect(page.Locator($"#boot-started li[data-uuid='{a}']")).ToContainTextAsync("05.0004 05.0047");
        await Expect(page.Locator("#boot-failed")).ToHaveCountAsync(0);

        // Another client's definition of B sharing 05.0004 with A is refused (every APQN listed); nothing changes.
        var refused = await http.PutAsync($"/api/mdevs/{b}/definition", DashboardServer.Json("{\"start\":\"auto\",\"adapters\":[5],\"domains\":[4]}"));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("05.0004", await refused.Content.ReadAsStringAsync());
        await Expect(page.Locator("#boot-defs li")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-boot.png") }); // for whoever reviews the look

        // Simulate the reboot (a second click confirms): A is back without its guest, B (not defined) is gone.
        await Expect(page.Locator("#boot-reboot")).ToBeVisibleAsync();
        await page.ClickAsync("#boot-reboot");
        await Expect(page.Locator("#boot-reboot")).ToHaveTextAsync("Confirm reboot");
        await page.ClickAsync("#boot-reboot");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("rebooted");
        await page.ClickAsync("#tab-mdevs");
        await Expect(page.Locator($"#mdev-list article[data-uuid='{a}']")).ToContainTextAsync("no guest");
        await Expect(page.Locator($"#mdev-list article[data-uuid='{b}']")).ToHaveCountAsync(0);
        var mdevs = JsonNode.Parse(await http.GetStringAsync("/api/mdevs"))!.AsArray();
        Assert.Equal([a], mdevs.Select(m => (string)m!["uuid"]!));
        Assert.Null(mdevs[0]!["guest"]);

        // Remove the definition from the card: nothing would start any more.
        await page.ClickAsync($"#mdev-{a}-undefine");
        await Expect(page.Locator($"#mdev-{a}-define")).ToBeVisibleAsync();
        await page.ClickAsync("#tab-boot");
        await Expect(page.Locator("#boot-started")).ToContainTextAsync("No matrix device would start");
        Assert.Empty(s.Errors);
    }
}
