using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApManager.Browser.Tests;

/// <summary>
/// The dashboard in a real headless Chromium against the real service on a loopback port, demo seed:
/// ownership at a glance, the mask editor's dry-run preview, assignment by clicking, live updates
/// through the event stream, stale-version handling, the audit view, keyboard use and the screenshot.
/// </summary>
[Collection(BrowserCollection.Name)]
public class DashboardTests(BrowserFixture browser)
{
    private const string DeviceA = DashboardServer.DeviceA;
    private const string DeviceB = DashboardServer.DeviceB;

    [BrowserFact]
    public async Task SignInShowsTheDemoOwnershipOfEveryQueue()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;

        // A wrong key is refused on the form; the right one opens the console.
        await page.GotoAsync("/");
        await page.FillAsync("#credential", "not-the-key");
        await page.ClickAsync("#signin-submit");
        await Expect(page.Locator("#signin-error")).ToContainTextAsync("not valid");
        await s.SignInAsync();

        // Host-owned (cex4queue), in a guest's guest matrix, free for vfio_ap, assigned without guest.
        await Expect(s.Cell("03.0004")).ToHaveAttributeAsync("data-state", "host");
        await Expect(s.Cell("03.0004")).ToContainTextAsync("■");
        await Expect(s.Cell("03.0004")).ToContainTextAsync("cex4queue");
        foreach (var apqn in new[] { "05.0004", "05.0047" })
        {
            await Expect(s.Cell(apqn)).ToHaveAttributeAsync("data-state", "guest");
            await Expect(s.Cell(apqn)).ToHaveAttributeAsync("data-mdev", DeviceA);
            await Expect(s.Cell(apqn)).ToHaveAttributeAsync("data-mdev-name", "payments-a");
            await Expect(s.Cell(apqn)).ToHaveAttributeAsync("data-guest", "guest-a");
            await Expect(s.Cell(apqn)).ToContainTextAsync("●");
            await Expect(s.Cell(apqn)).ToContainTextAsync("guest-a");
        }
        await Expect(s.Cell("05.0005")).ToHaveAttributeAsync("data-state", "free");
        await Expect(s.Cell("05.0005")).ToContainTextAsync("○");
        await Expect(s.Cell("05.0005")).ToHaveAttributeAsync("data-driver", "vfio_ap");
        await Expect(s.Cell("06.0004")).ToHaveAttributeAsync("data-state", "assigned");
        await Expect(s.Cell("06.0004")).ToHaveAttributeAsync("data-mdev-name", "batch-b");
        await Expect(s.Cell("06.0004")).Not.ToHaveAttributeAsync("data-guest", new System.Text.RegularExpressions.Regex(".*"));
        await Expect(s.Cell("06.0004")).ToContainTextAsync("◆");
        await Expect(s.Cell("06.0004")).ToContainTextAsync("no guest");
        await Expect(s.Cell("07.0048")).ToHaveAttributeAsync("data-state", "host");

        // 25 queues: 15 on the host, 10 on vfio_ap (SPEC §7); counted from the grid itself.
        Assert.Equal(25, await page.Locator("#grid td[role=gridcell]").CountAsync());
        Assert.Equal(15, await page.Locator("#grid td[data-state=host]").CountAsync());
        Assert.Equal(7, await page.Locator("#grid td[data-state=free]").CountAsync());

        // Row headers: type, mode, state; column headers: the domain in kernel hex; ARIA labels throughout.
        await Expect(s.AdapterHeader(4)).ToContainTextAsync("CEX8P");
        await Expect(s.AdapterHeader(4)).ToContainTextAsync("ep11");
        await Expect(s.AdapterHeader(7)).ToContainTextAsync("CEX7A");
        await Expect(s.AdapterHeader(7)).ToContainTextAsync("accel");
        await Expect(s.AdapterHeader(5)).ToContainTextAsync("online");
        await Expect(s.AdapterHeader(5)).ToContainTextAsync("apm 0");
        await Expect(s.DomainHeader(71)).ToContainTextAsync("0047");
        await Expect(page.Locator("#grid")).ToHaveAttributeAsync("role", "grid");
        await Expect(s.Cell("05.0004")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("05\\.0004.*payments-a.*guest-a"));
        await Expect(page.Locator("#legend")).ToContainTextAsync("Free for vfio_ap");

        // Hover shows details; keyboard: one tab stop, arrows move, focus selects.
        await s.Cell("06.0004").HoverAsync();
        await Expect(page.Locator("#details")).ToContainTextAsync("batch-b");
        await page.Mouse.MoveAsync(5, 300);
        await s.Cell("03.0004").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(s.Cell("05.0004")).ToBeFocusedAsync();
        await Expect(s.Cell("05.0004")).ToHaveAttributeAsync("tabindex", "0");
        await Expect(page.Locator("#details")).ToHaveAttributeAsync("data-apqn", "05.0004");
        await Expect(page.Locator("#details")).ToContainTextAsync("vfio_ap");
        await Expect(page.Locator("#details")).ToContainTextAsync(DeviceA);
        await Expect(page.Locator("#details")).ToContainTextAsync("guest-a");
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(s.Cell("05.0005")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Home");
        await Expect(s.AdapterHeader(5)).ToBeFocusedAsync();
        Assert.Equal(1, await page.Locator("#grid [tabindex='0']").CountAsync());

        // The credential lives in sessionStorage: a reload stays signed in.
        await page.ReloadAsync();
        await Expect(s.Cell("05.0004")).ToHaveAttributeAsync("data-state", "guest");
        await Expect(page.Locator("#signin")).ToBeHiddenAsync();
        Assert.Empty(s.Errors);
    }

    [BrowserFact]
    public async Task TheMaskPreviewHighlightsEveryOffenderAndApplyWritesTheMask()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        await s.SignInAsync();
        using var http = s.Server.Http();
        var busBefore = await http.GetStringAsync("/api/bus");

        // +5,+6 would give vfio_ap's queues back to the host while devices hold them: a dry run says who blocks.
        await page.FillAsync("#mask-input", "+5,+6");
        await Expect(page.Locator("#mask-preview")).ToHaveAttributeAsync("data-state", "refused");
        var problem = page.Locator("#mask-preview .problem");
        await Expect(problem).ToHaveAttributeAsync("data-type", "/problems/queues-in-use");
        await Expect(problem).ToContainTextAsync("EBUSY");
        await Expect(problem).ToContainTextAsync("409");
        await Expect(page.Locator("#grid td.offender")).ToHaveCountAsync(3);
        Assert.Equal(["05.0004", "05.0047", "06.0004"], await s.OffendersAsync());
        await Expect(s.Cell("05.0004")).ToHaveAttributeAsync("data-offender", DeviceA);
        await Expect(s.Cell("05.0047")).ToHaveAttributeAsync("data-offender", DeviceA);
        await Expect(s.Cell("06.0004")).ToHaveAttributeAsync("data-offender", DeviceB);
        await Expect(s.Cell("05.0004")).ToContainTextAsync("⚠");
        await Expect(problem.Locator("tr[data-apqn='05.0004']")).ToContainTextAsync("payments-a");
        await Expect(problem.Locator("tr[data-apqn='05.0004']")).ToContainTextAsync("guest-a");
        await Expect(problem.Locator("tr[data-apqn='06.0004']")).ToContainTextAsync("batch-b");
        await Expect(page.Locator("#mask-apply")).ToBeDisabledAsync();
        Assert.Equal(busBefore, await http.GetStringAsync("/api/bus"));

        // A syntax error points at the rejected character.
        await page.FillAsync("#mask-input", "+5-2");
        await Expect(page.Locator("#mask-preview .problem")).ToHaveAttributeAsync("data-type", "/problems/invalid-mask");
        await Expect(page.Locator("#mask-preview .caret-view mark")).ToHaveTextAsync("2");
        await Expect(page.Locator("#grid td.offender")).ToHaveCountAsync(0);

        // Clicking adapter 7's header builds the relative write -7; the preview lists the queues that would move.
        await page.ClickAsync("#mask-clear");
        await s.AdapterHeader(7).ClickAsync();
        await Expect(page.Locator("#mask-input")).ToHaveValueAsync("-7");
        await Expect(page.Locator("#mask-preview")).ToHaveAttributeAsync("data-state", "ok");
        await Expect(page.Locator("#mask-preview table.rebound tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("#grid td.rebind")).ToHaveCountAsync(5);
        await Expect(s.AdapterHeader(7)).ToContainTextAsync("apm 1→0");
        await Expect(s.Cell("07.0004")).ToHaveAttributeAsync("data-state", "host");

        // Apply does the real write (with If-Match); the grid follows.
        await page.ClickAsync("#mask-apply");
        await Expect(s.Cell("07.0004")).ToHaveAttributeAsync("data-state", "free");
        await Expect(page.Locator("#grid td.rebind")).ToHaveCountAsync(0);
        await Expect(page.Locator("#mask-input")).ToHaveValueAsync("");
        var bus = JsonNode.Parse(await http.GetStringAsync("/api/bus"))!;
        Assert.StartsWith("0xf8", (string?)bus["apmask"]);
        Assert.Empty(s.Errors);
    }

    [BrowserFact]
    public async Task AssigningByClickingUpdatesTheGridAndRefusalsNameTheirOffenders()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        await s.SignInAsync();
        using var http = s.Server.Http();

        await page.ClickAsync("#tab-mdevs");
        await page.ClickAsync($"button[data-action=select][data-uuid='{DeviceB}']");
        await Expect(page.Locator("#mode-banner")).ToContainTextAsync("batch-b");
        await Expect(s.Cell("06.0004")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\btarget\\b"));

        // Click 06.0005: device B gets domain 5.
        await s.Cell("06.0005").ClickAsync();
        await Expect(s.Cell("06.0005")).ToHaveAttributeAsync("data-state", "assigned");
        await Expect(s.Cell("06.0005")).ToHaveAttributeAsync("data-mdev-name", "batch-b");
        var b = JsonNode.Parse(await http.GetStringAsync($"/api/mdevs/{DeviceB}"))!;
        Assert.Equal([4, 5], b["domains"]!.AsArray().Select(x => (int)x!));

        // Adapter 7 is still the host's: the refusal lists every offending APQN and highlights it.
        await s.Cell("07.0004").ClickAsync();
        var problem = page.Locator("#mdev-problem .problem");
        await Expect(problem).ToHaveAttributeAsync("data-type", "/problems/apqn-owned-by-host");
        await Expect(problem).ToContainTextAsync("EADDRNOTAVAIL");
        await Expect(page.Locator("#grid td.offender")).ToHaveCountAsync(2);
        Assert.Equal(["07.0004", "07.0005"], await s.OffendersAsync());

        // Clicking a domain header unassigns it again (device B loses domain 5).
        await s.DomainHeader(5).ClickAsync();
        await Expect(s.Cell("06.0005")).ToHaveAttributeAsync("data-state", "free");

        // Attach a guest from the device card: 06.0004 joins guest-b's guest matrix.
        await page.FillAsync($"#mdev-{DeviceB}-guest", "guest-b");
        await page.ClickAsync($"#mdev-{DeviceB}-attach");
        await Expect(s.Cell("06.0004")).ToHaveAttributeAsync("data-state", "guest");
        await Expect(s.Cell("06.0004")).ToHaveAttributeAsync("data-guest", "guest-b");

        // Create a device and replace its configuration with the form.
        await page.FillAsync("#create-name", "crypto-c");
        await page.ClickAsync("#mdev-create button[type=submit]");
        var card = page.Locator("article.mdev", new PageLocatorOptions { HasText = "crypto-c" });
        await Expect(card).ToBeVisibleAsync();
        var uuid = await card.GetAttributeAsync("data-uuid");
        await card.Locator("button[data-action=config]").ClickAsync();
        await page.FillAsync($"#mdev-{uuid}-cfg-adapters", "5");
        await page.FillAsync($"#mdev-{uuid}-cfg-domains", "5, 0x6");
        await page.ClickAsync($"#mdev-{uuid}-cfg-apply");
        await Expect(s.Cell("05.0005")).ToHaveAttributeAsync("data-mdev-name", "crypto-c");
        await Expect(s.Cell("05.0006")).ToHaveAttributeAsync("data-state", "assigned");
        Assert.Empty(s.Errors);
    }

    [BrowserFact]
    public async Task ChangesByAnotherClientArriveThroughTheEventStream()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        var streams = 0;
        var reads = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/events", StringComparison.Ordinal))
            {
                streams++;
            }
        };
        await s.SignInAsync();
        await page.ClickAsync("#tab-audit");
        page.Request += (_, request) => reads.Add(request.Url);

        // Another client (plain HTTP, not the page) gives device A domain 5: 05.0005 joins guest-a's guest matrix.
        using var http = s.Server.Http();
        var response = await http.PutAsync($"/api/mdevs/{DeviceA}/domains/5", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Expect(s.Cell("05.0005")).ToHaveAttributeAsync("data-state", "guest");
        await Expect(s.Cell("05.0005")).ToHaveAttributeAsync("data-guest", "guest-a");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("mdev-changed");
        await Expect(page.Locator("#live-status")).ToContainTextAsync("by browser-admin");
        await Expect(page.Locator("#audit-body tr.audit-row").First).ToContainTextAsync("mdev.assign-domain");

        // A mask write by the other client, and a refusal: both show up live.
        await http.PutAsync("/api/bus/apmask", DashboardServer.Json("{\"mask\":\"-7\"}"));
        await Expect(s.Cell("07.0004")).ToHaveAttributeAsync("data-state", "free");
        await http.PutAsync("/api/bus/apmask", DashboardServer.Json("{\"mask\":\"+5\"}"));
        await Expect(page.Locator("#live-status")).ToContainTextAsync("change-refused");

        // The page holds one event stream and never reloaded; it re-read state only after events.
        Assert.Equal(1, streams);
        Assert.DoesNotContain(reads, url => url.EndsWith('/') || url.EndsWith(".html", StringComparison.Ordinal));

        // The audit view filters by outcome and text, newest first; expanding a refusal highlights its offenders.
        await page.SelectOptionAsync("#audit-outcome", "refused");
        var first = page.Locator("#audit-body tr.audit-row").First;
        await Expect(first).ToContainTextAsync("queues-in-use");
        await Expect(first).ToContainTextAsync("+5");
        await page.FillAsync("#audit-text", "assign-domain");
        await Expect(page.Locator("#audit-body tr.audit-row")).ToHaveCountAsync(0);
        await page.SelectOptionAsync("#audit-outcome", "committed");
        await Expect(page.Locator("#audit-body tr.audit-row")).ToHaveCountAsync(1);
        await page.FillAsync("#audit-text", "");
        await page.SelectOptionAsync("#audit-outcome", "refused");
        await first.ClickAsync();
        await Expect(page.Locator("#grid td.offender")).ToHaveCountAsync(3);
        Assert.Equal(["05.0004", "05.0005", "05.0047"], await s.OffendersAsync()); // device A holds domain 5 now
        Assert.Empty(s.Errors);
    }

    [BrowserFact]
    public async Task AStaleVersionIsReloadedAndTheStreamResyncsAfterAnOutage()
    {
        await using var s = await DashboardSession.OpenAsync(browser);
        var page = s.Page;
        await s.SignInAsync();
        using var http = s.Server.Http();

        // The network drops and, once back, the event stream stays cut: the page notices and keeps retrying.
        await page.RouteAsync("**/api/events**", route => route.AbortAsync());
        await s.Context.SetOfflineAsync(true);
        await Expect(page.Locator("#live-status")).Not.ToHaveAttributeAsync("data-state", "live");
        await s.Context.SetOfflineAsync(false);
        await http.PutAsync($"/api/mdevs/{DeviceB}/domains/5", null);
        await page.WaitForTimeoutAsync(500);
        await Expect(page.Locator("#live-status")).Not.ToHaveAttributeAsync("data-state", "live");
        await Expect(s.Cell("06.0005")).ToHaveAttributeAsync("data-state", "free");

        // Acting on what it shows: If-Match carries the old version, the service answers 412, the page reloads and says so.
        await page.ClickAsync("#tab-mdevs");
        await page.ClickAsync($"button[data-action=select][data-uuid='{DeviceB}']");
        await s.DomainHeader(71).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("changed meanwhile");
        await Expect(page.Locator("#mdev-problem .problem")).ToHaveAttributeAsync("data-type", "/problems/version-mismatch");
        await Expect(s.Cell("06.0005")).ToHaveAttributeAsync("data-mdev-name", "batch-b");
        var b = JsonNode.Parse(await http.GetStringAsync($"/api/mdevs/{DeviceB}"))!;
        Assert.Equal([4, 5], b["domains"]!.AsArray().Select(x => (int)x!));

        // A retry on the reloaded version goes through.
        await s.DomainHeader(71).ClickAsync();
        await Expect(s.Cell("06.0047")).ToHaveAttributeAsync("data-mdev-name", "batch-b");

        // The stream comes back: the page reconnects (Last-Event-ID) and re-syncs what it missed.
        await http.PutAsync("/api/bus/apmask", DashboardServer.Json("{\"mask\":\"-7\"}"));
        await page.UnrouteAsync("**/api/events**");
        await Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 30_000 });
        await Expect(s.Cell("07.0004")).ToHaveAttributeAsync("data-state", "free");
        await http.PutAsync($"/api/mdevs/{DeviceA}/domains/6", null);
        await Expect(s.Cell("05.0006")).ToHaveAttributeAsync("data-state", "guest");
        Assert.All(s.Errors, e => Assert.Contains("net::ERR_", e)); // the aborted event-stream requests, nothing else
    }

    [BrowserFact]
    public async Task TheScreenshotShowsAProfessionalConsoleAtLaptopSizes()
    {
        foreach (var (width, height) in new[] { (1920, 1080), (1366, 768) })
        {
            await using var s = await DashboardSession.OpenAsync(browser, width, height);
            var page = s.Page;
            await page.GotoAsync("/");
            await Expect(page.Locator("#credential")).ToBeFocusedAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, $"dashboard-signin-{width}.png") });
            await s.SignInAsync();

            // Nothing spills out sideways; the grid, the legend and the tools are all on screen.
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{width}x{height}: the page is {overflow}px wider than the window");
            foreach (var id in new[] { "#grid", "#legend", "#mask-input", "#details" })
            {
                var box = await page.Locator(id).BoundingBoxAsync();
                Assert.NotNull(box);
                Assert.True(box!.X + box.Width <= width && box.Y < height, $"{width}x{height}: {id} is off screen ({box.X},{box.Y} {box.Width}x{box.Height})");
            }

            if (width == 1366)
            {
                // The picture for the README: the +5,+6 refusal previewed, its offenders highlighted, 05.0004 selected.
                await page.FillAsync("#mask-input", "+5,+6");
                await Expect(page.Locator("#grid td.offender")).ToHaveCountAsync(3);
                await s.Cell("05.0004").FocusAsync();
                await page.Mouse.MoveAsync(width - 2, height - 2);
                await Expect(page.Locator("#details")).ToHaveAttributeAsync("data-apqn", "05.0004");
                var file = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file });
                Assert.True(new FileInfo(file).Length > 10_000);
                if (Environment.GetEnvironmentVariable("APMANAGER_UPDATE_SCREENSHOT") == "1")
                {
                    var docs = Path.GetFullPath(Path.Combine(RepoRoot(), "docs"));
                    Directory.CreateDirectory(docs);
                    File.Copy(file, Path.Combine(docs, "dashboard.png"), overwrite: true);
                }

                // The other tools, for whoever reviews the look (test output only).
                await page.ClickAsync("#mask-clear");
                await page.ClickAsync("#tab-mdevs");
                await page.ClickAsync($"button[data-action=select][data-uuid='{DeviceB}']");
                await page.ClickAsync($"button[data-action=config][data-uuid='{DeviceB}']");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-mdevs.png") });
                await page.ClickAsync("#tab-audit");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-audit.png") });
            }
            else
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, $"dashboard-{width}.png") });
            }
            Assert.Empty(s.Errors);
        }
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..");
}
