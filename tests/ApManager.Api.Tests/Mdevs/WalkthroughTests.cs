using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Mdevs;

/// <summary>The README walkthrough, end to end over HTTP.</summary>
public class WalkthroughTests
{
    [Fact]
    public async Task AdapterSevenGoesToAGuestLeavesItWhenDeconfiguredAndThenBlocksTheHostFromTakingItBack()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        // 1. Take adapter 7 away from the host.
        using var release = await PutMaskAsync(client, "apmask", "-7");
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(5, (await ReadObjectAsync(release))["rebound"]!.AsArray().Count);

        // 2. Create a device and give it adapter 7, usage domains 5 and 6, control domains 5 and 6.
        using var create = await client.PostAsync("/api/mdevs", Json("""{"name":"crypto-c"}"""));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var uuid = (string)(await ReadObjectAsync(create))["uuid"]!;
        foreach (var path in new[] { "adapters/7", "domains/5", "domains/6", "control-domains/5", "control-domains/6" })
        {
            using var assign = await client.PutAsync($"/api/mdevs/{uuid}/{path}", null);
            Assert.True(assign.StatusCode == HttpStatusCode.OK, $"{path}: {await assign.Content.ReadAsStringAsync()}");
        }

        // 3. Attach guest-c: it gets 07.0005 and 07.0006.
        using var attach = await client.PutAsync($"/api/mdevs/{uuid}/guest", Json("""{"name":"guest-c"}"""));
        Assert.Equal(HttpStatusCode.OK, attach.StatusCode);
        var device = await ReadObjectAsync(attach);
        Assert.Equal(["07.0005", "07.0006"], Strings(device["matrix"]));
        Assert.Equal(["07.0005", "07.0006"], Strings(device["guestMatrix"]));
        Assert.Equal([5, 6], Ints(device["controlDomains"]));
        Assert.Equal("guest-c", (string?)(await GetObjectAsync(client, "/api/queues/07.0006"))["guest"]);

        // 4. Deconfigure adapter 7: it leaves the guest matrix, the assignment stays.
        using var deconfigure = await client.PutAsync("/api/adapters/7/configured", Json("""{"configured":false}"""));
        Assert.Equal(HttpStatusCode.OK, deconfigure.StatusCode);
        var unplugged = await GetObjectAsync(client, $"/api/mdevs/{uuid}");
        Assert.Empty(unplugged["guestMatrix"]!.AsArray());
        Assert.Equal(["07.0005", "07.0006"], Strings(unplugged["matrix"]));

        // 5. The host cannot take adapter 7 back: its APQNs are in the device, queue or not.
        var before = await StateAsync(client);
        using var reclaim = await PutMaskAsync(client, "apmask", "+7");
        var problem = await AssertProblemAsync(reclaim, 409, "/problems/queues-in-use");
        var offenders = problem["offendingApqns"]!.AsArray();
        Assert.Equal(["07.0005", "07.0006"], Apqns(offenders));
        Assert.All(offenders, o =>
        {
            Assert.Equal("vfio_ap", (string?)o!["driver"]);
            Assert.Equal(uuid, (string?)o["mdev"]);
            Assert.Equal("guest-c", (string?)o["guest"]);
        });
        await AssertUnchangedAsync(client, before);

        // 6. Configure it again: the guest gets both APQNs back.
        using var configure = await client.PutAsync("/api/adapters/7/configured", Json("""{"configured":true}"""));
        Assert.Equal(HttpStatusCode.OK, configure.StatusCode);
        Assert.Equal(["07.0005", "07.0006"], Strings((await GetObjectAsync(client, $"/api/mdevs/{uuid}"))["guestMatrix"]));
    }
}
