using ApManager.FakeSysfs;

namespace ApManager.Api.Tests.Sysfs;

/// <summary>
/// The key scenarios of the HTTP suite, each sent to the simulated host and to a real host's
/// sysfs (the fake kernel over FUSE): the answers, problems and resulting state are the same.
/// </summary>
public class SameAnswersTests
{
    private const string A = ApManagerApplication.DeviceA;
    private const string B = ApManagerApplication.DeviceB;

    [FuseFact]
    public async Task The_start_state_is_the_same()
    {
        await using var hosts = DualHost.Start();
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task The_demo_conflict_names_every_offender_device_and_guest()
    {
        await using var hosts = DualHost.Start();

        var (status, body, _) = await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask", """{"mask":"+5"}""");

        Assert.Equal(409, status);
        Assert.Equal("/problems/queues-in-use", (string?)body!["type"]);
        Assert.Equal(["05.0004", "05.0047"], ApManagerApplication.Apqns(body["offendingApqns"]));
        Assert.Empty(hosts.Sysfs.Kernel.Writes);
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task Mask_writes_rebind_queues_the_same_way()
    {
        await using var hosts = DualHost.Start();

        var (status, body, _) = await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask", """{"mask":"-7"}""");
        Assert.Equal(200, status);
        Assert.Equal(5, body!["rebound"]!.AsArray().Count);
        await hosts.SendAsync(HttpMethod.Put, "/api/bus/aqmask", """{"mask":"-5,-6"}""");
        await hosts.SendAsync(HttpMethod.Patch, "/api/bus/masks", """{"apmask":"+7","aqmask":"+5"}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask?dryRun=true", """{"mask":"-3"}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask", """{"mask":"+5;+6"}""");

        // One write(2) per attribute, the caller's text as given.
        var writes = hosts.Sysfs.Kernel.Writes;
        Assert.Equal("/bus/ap/apmask", writes[0].Path);
        Assert.Equal("-7", writes[0].Data);
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task Assignment_errors_are_the_same_problems()
    {
        await using var hosts = DualHost.Start();

        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{B}/adapters/3");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{B}/adapters/5");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{B}/adapters/64");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{B}/domains/85");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{B}/control-domains/300");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{B}/config", """{"adapters":[6],"domains":[4,71],"controlDomains":[4]}""");
        await hosts.SendAsync(HttpMethod.Delete, $"/api/mdevs/{A}");
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task Devices_are_created_configured_and_removed_the_same_way()
    {
        await using var hosts = DualHost.Start();
        const string C = "11111111-2222-4333-8444-555555555555";

        await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask", """{"mask":"-7"}""");
        var (status, _, _) = await hosts.SendAsync(HttpMethod.Post, "/api/mdevs", $$"""{"uuid":"{{C}}"}""");
        Assert.Equal(201, status);
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{C}/adapters/7");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{C}/domains/5");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{C}/control-domains/5");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{C}/config", """{"adapters":[7],"domains":[5,6,72],"controlDomains":[5,6]}""");
        await hosts.SendAsync(HttpMethod.Delete, $"/api/mdevs/{C}/domains/72");
        await hosts.SendAsync(HttpMethod.Post, "/api/mdevs", $$"""{"uuid":"{{C}}"}""");
        await hosts.AssertSameStateAsync();
        await hosts.SendAsync(HttpMethod.Delete, $"/api/mdevs/{C}");
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task Hot_plug_into_the_running_guest_is_the_same()
    {
        await using var hosts = DualHost.Start();

        // guest-a runs on device A: giving A adapter 6's domain 71 needs adapter 6 free of B first.
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{A}/domains/5");
        var (_, device, _) = await hosts.GetAsync($"/api/mdevs/{A}");
        Assert.Contains("05.0005", ApManagerApplication.Strings(device!["guestMatrix"]));
        await hosts.SendAsync(HttpMethod.Delete, $"/api/mdevs/{B}");
        await hosts.SendAsync(HttpMethod.Put, $"/api/mdevs/{A}/adapters/6");
        await hosts.GetAsync("/api/queues/06.0071");
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task Configure_and_online_switches_are_the_same()
    {
        await using var hosts = DualHost.Start();

        await hosts.SendAsync(HttpMethod.Put, "/api/adapters/7/online", """{"online":false}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/queues/07.0005/online", """{"online":true}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/adapters/7/online", """{"online":true}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/queues/07.0005/online", """{"online":false}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/queues/05.0004/online", """{"online":false}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/adapters/5/configured", """{"configured":false}""");
        await hosts.GetAsync($"/api/mdevs/{A}");
        await hosts.SendAsync(HttpMethod.Put, "/api/adapters/5/online", """{"online":true}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/adapters/5/configured", """{"configured":true}""");
        await hosts.SendAsync(HttpMethod.Put, "/api/adapters/3/configured?dryRun=true", """{"configured":false}""");
        await hosts.AssertSameStateAsync();
    }

    [FuseFact]
    public async Task Preconditions_are_judged_the_same()
    {
        await using var hosts = DualHost.Start();

        var (_, _, etag) = await hosts.GetAsync("/api/bus");
        await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask", """{"mask":"-7"}""", ifMatch: etag!.Tag);
        await hosts.SendAsync(HttpMethod.Put, "/api/bus/apmask", """{"mask":"+7"}""", ifMatch: etag.Tag);
        await hosts.AssertSameStateAsync();
    }
}
