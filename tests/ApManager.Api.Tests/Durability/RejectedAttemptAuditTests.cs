using System.Net;

namespace ApManager.Api.Tests.Durability;

public class RejectedAttemptAuditTests
{
    [Fact]
    public async Task AttemptsRefusedBeforeTheRulesAreAuditedWithTheirProblemAndChangeNothing()
    {
        await using var app = new ApManagerApplication();
        using var admin = app.CreateClient();
        using var anonymous = app.CreateClient(null);
        var before = await ApManagerApplication.StateAsync(admin);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/api/bus/apmask", ApManagerApplication.Json("{\"mask\": 5"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PutAsync("/api/mdevs/" + ApManagerApplication.DeviceB + "/guest", new StringContent("<x/>", System.Text.Encoding.UTF8, "application/xml"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("/api/bus/apmask", ApManagerApplication.Json("{\"mask\":\"-3\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/api/mdevs/not-a-uuid/adapters/3", null)).StatusCode);

        Assert.Equal(before, await ApManagerApplication.StateAsync(admin));
        var audit = (await ApManagerApplication.ReadArrayAsync(await admin.GetAsync("/api/audit"))).ToList();
        for (var i = 0; i < 50 && audit.Count < 4; i++)
        {
            await Task.Delay(50);
            audit = [.. await ApManagerApplication.ReadArrayAsync(await admin.GetAsync("/api/audit"))];
        }
        var outcomes = audit.Select(r => ((string)r!["action"]!, (int)r["outcome"]!["status"]!, (string?)r["outcome"]!["problemType"], (string)r["actor"]!)).ToList();
        Assert.Contains(("PUT /api/bus/apmask", 400, "/problems/invalid-body", "test-admin"), outcomes);
        // Routing refuses a body type no endpoint accepts before an endpoint is chosen: no route to name.
        Assert.Contains(("PUT (no route)", 415, "/problems/unsupported-media-type", "test-admin"), outcomes);
        Assert.Contains(("PUT /api/bus/apmask", 401, "/problems/unauthenticated", "anonymous"), outcomes);
        Assert.Contains(("PUT /api/mdevs/{uuid}/adapters/{id}", 400, "/problems/invalid-request", "test-admin"), outcomes);
        Assert.All(audit, r => Assert.Equal((long)r!["versionBefore"]!, (long)r["versionAfter"]!));
        Assert.All(audit, r => Assert.Empty(r!["events"]!.AsArray()));
    }
}
