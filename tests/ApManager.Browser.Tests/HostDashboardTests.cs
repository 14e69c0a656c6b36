using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApManager.Browser.Tests;

/// <summary>
/// The dashboard and the host it manages: the badge (simulated or a real host's sysfs root), what
/// lszcrypt -V shows of adapters and queues, the online switches, and changes made by others.
/// </summary>
[Collection(BrowserCollection.Name)]
public class HostDashboardTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task TheDemoHostIsBadgedSimulatedAndItsDetailsAndOnlineSwitchesShowInTheDetailsPane()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        await s.SignInAsync();
        using var http = s.Server.Http();

        await Expect(page.Locator("#host-badge")).ToBeVisibleAsync();
        await Expect(page.Locator("#host-badge")).ToContainTextAsync("Simulated host");
        await Expect(page.Locator("#host-badge")).ToHaveAttributeAsync("data-mode", "simulated");
        await Expect(page.Locator("#host-banner")).ToBeHiddenAsync();

        // Adapter 4: everything lszcrypt -V shows, as the service reports it. Focus selects without acting in the mask tool.
        var adapter = JsonNode.Parse(await http.GetStringAsync("/api/adapters/4"))!;
        await s.AdapterHeader(4).FocusAsync();
        await page.Mouse.MoveAsync(5, 700);
        var details = page.Locator("#details");
        foreach (var text in new[] { "CEX8P", "ep11", "HW type", (string)adapter["functionFlags"]!, (string)adapter["functions"]!, "Depth", "Checkstop", "Requests", "configured, online" })
        {
            await Expect(details).ToContainTextAsync(text);
        }
        if ((string?)adapter["serial"] is { } serial)
        {
            await Expect(details).ToContainTextAsync(serial);
        }
        await Expect(page.Locator("#adapter-online")).ToHaveTextAsync("Set adapter offline");

        // A vfio_ap queue has no online switch: its button is disabled and says why.
        await s.Cell("05.0005").FocusAsync();
        await Expect(details).ToContainTextAsync("Status");
        await Expect(page.Locator("#queue-online")).ToBeDisabledAsync();
        await Expect(page.Locator("#queue-online")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("cex4queue"));

        // A host queue: Set offline goes through (If-Match), the grid marks the cell in words, the service agrees.
        await s.Cell("03.0004").FocusAsync();
        await Expect(s.Cell("03.0004")).ToHaveAttributeAsync("data-online", "true");
        await page.ClickAsync("#queue-online");
        await Expect(s.Cell("03.0004")).ToHaveAttributeAsync("data-online", "false");
        await Expect(s.Cell("03.0004")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bq-offline\\b"));
        await Expect(s.Cell("03.0004")).ToContainTextAsync("offline");
        await Expect(s.Cell("03.0004")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("Queue offline"));
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Queue 03.0004 set offline");
        var queue = JsonNode.Parse(await http.GetStringAsync("/api/queues/03.0004"))!;
        Assert.False((bool)queue["online"]!);
        await Expect(page.Locator("#queue-online")).ToHaveTextAsync("Set queue online");
        await Expect(page.Locator("#queue-online")).ToBeFocusedAsync();

        // And back online.
        await page.ClickAsync("#queue-online");
        await Expect(s.Cell("03.0004")).ToHaveAttributeAsync("data-online", "true");
        await Expect(s.Cell("03.0004")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bq-offline\\b"));
        Assert.True((bool)JsonNode.Parse(await http.GetStringAsync("/api/queues/03.0004"))!["online"]!);
        Assert.Empty(s.Errors);
    }

    [BrowserFact]
    public async Task AnAdapterSetOfflineByAnotherClientIsMarkedWithoutAReload()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        await s.SignInAsync();
        var documents = 0;
        page.Request += (_, request) =>
        {
            if (request.ResourceType == "document")
            {
                documents++;
            }
        };

        // Another client switches adapter 7 off (chzcrypt -d 7): the row and its host queues say offline.
        using var http = s.Server.Http();
        var response = await http.PutAsync("/api/adapters/7/online", DashboardServer.Json("{\"online\":false}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Expect(s.AdapterHeader(7)).ToHaveAttributeAsync("data-online", "false");
        await Expect(s.AdapterHeader(7)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\brh-offline\\b"));
        await Expect(s.AdapterHeader(7)).ToContainTextAsync("offline");
        await Expect(s.AdapterHeader(7)).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("offline"));
        await Expect(s.Cell("07.0004")).ToHaveAttributeAsync("data-online", "false");
        await Expect(page.Locator("#grid td.q-offline")).ToHaveCountAsync(5);
        await Expect(page.Locator("#live-status")).ToContainTextAsync("queues-switched");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-offline.png") }); // for whoever reviews the look

        // The details pane offers the way back.
        await s.AdapterHeader(7).FocusAsync();
        await page.Mouse.MoveAsync(5, 700);
        await Expect(page.Locator("#adapter-online")).ToHaveTextAsync("Set adapter online");
        await page.ClickAsync("#adapter-online");
        await Expect(s.AdapterHeader(7)).ToHaveAttributeAsync("data-online", "true");
        await Expect(page.Locator("#grid td.q-offline")).ToHaveCountAsync(0);
        Assert.Equal(0, documents);
        Assert.Empty(s.Errors);
    }

    [BrowserFact]
    public async Task ARealHostShowsItsRootWhyItCannotBeReadNoGuestButtonsAndItsOwnChanges()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        using var http = s.Server.Http();

        // Stubbed: the test service is the simulator, so GET /api/host answers as a real host that cannot be
        // read would, and the event stream carries one change made on that host (actor host).
        var host = JsonNode.Parse(await http.GetStringAsync("/api/host"))!.AsObject();
        host["mode"] = "sysfs";
        host["root"] = "/sys";
        host["pollSeconds"] = 2.0;
        host["uevents"] = true;
        host["available"] = false;
        host["unavailable"] = "/sys/bus/ap/ does not exist: this is not an s390 host with the AP bus (or Host:Root is wrong).";
        host["lastRead"] = "2025-01-01T12:00:00+00:00";
        await page.RouteAsync("**/api/host", route => route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/json", Body = host.ToJsonString() }));
        await page.RouteAsync("**/api/events**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "text/event-stream",
            Body = "retry: 600000\n\nid: 1000\nevent: bus-changed\ndata: {\"seq\":1000,\"actor\":\"host\",\"action\":\"host.changed\",\"target\":\"host\",\"versionAfter\":99}\n\n" +
                "id: 1000\nevent: queues-rebound\ndata: {\"seq\":1000,\"actor\":\"host\",\"action\":\"host.changed\",\"target\":\"host\",\"versionAfter\":99}\n\n",
        }));
        await page.GotoAsync("/");
        await page.FillAsync("#credential", DashboardServer.AdminKey);
        await page.PressAsync("#credential", "Enter");
        await Expect(s.Cell("03.0004")).ToBeVisibleAsync();

        await Expect(page.Locator("#host-badge")).ToContainTextAsync("Host: /sys");
        await Expect(page.Locator("#host-badge")).ToContainTextAsync("poll 2 s");
        await Expect(page.Locator("#host-badge")).ToHaveAttributeAsync("data-available", "false");
        await Expect(page.Locator("#host-banner")).ToBeVisibleAsync();
        await Expect(page.Locator("#host-banner")).ToContainTextAsync("cannot be read");
        await Expect(page.Locator("#host-banner")).ToContainTextAsync("/sys/bus/ap/ does not exist");

        // One toast for the host's change, though it came as two events.
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Changed on the host (by host)");
        await Expect(page.Locator("#toasts .toast", new PageLocatorOptions { HasText = "Changed on the host" })).ToHaveCountAsync(1);

        // Guests come from libvirt: no attach or detach on the device cards.
        await page.ClickAsync("#tab-mdevs");
        await s.AdapterHeader(4).FocusAsync();
        await Expect(page.Locator("article.mdev")).ToHaveCountAsync(2);
        await Expect(page.Locator("#mdev-list button[data-action=detach], #mdev-list form[data-action=attach]")).ToHaveCountAsync(0);
        await Expect(page.Locator($"#mdev-{DashboardServer.DeviceB}-guest-note")).ToContainTextAsync("Guests come from libvirt");
        await Expect(page.Locator($"#mdev-{DashboardServer.DeviceB}-guest-note")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("libvirt"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-sysfs.png") });
        Assert.Empty(s.Errors);
    }
}
