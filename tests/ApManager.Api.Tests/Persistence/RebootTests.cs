using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;
using static ApManager.Api.Tests.Persistence.DefinitionTests;

namespace ApManager.Api.Tests.Persistence;

public class RebootTests
{
    private const string DeviceZ = "c0ffee00-1c2d-4e3f-8a9b-112233445566";

    [Fact]
    public async Task TheBootPreviewListsStartedFailedAndManualDevices()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using (var put = await SendAsync(client, HttpMethod.Put, "/api/bus/persistent", Json("""{"apmask":"-5,-6"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4,71],"controlDomains":[4]}""")).Dispose();
        (await PutDefinitionAsync(client, DeviceY, """{"start":"manual","adapters":[6],"domains":[4]}""")).Dispose();

        var preview = await GetObjectAsync(client, "/api/boot-preview");

        Assert.Equal(MaskWithout(5, 6), (string?)preview["apmask"]);
        var started = preview["started"]!.AsArray();
        Assert.Equal([DeviceX], started.Select(d => (string)d!["uuid"]!));
        Assert.Equal(["05.0004", "05.0047"], Strings(started[0]!["matrix"]));
        Assert.Empty(preview["failed"]!.AsArray());
        Assert.Equal([DeviceY], Strings(preview["manual"]));
        Assert.Empty(preview["conflicts"]!.AsArray());
    }

    [Fact]
    public async Task ARebootBringsBackWhatThePreviewPromised()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using (var put = await SendAsync(client, HttpMethod.Put, "/api/bus/persistent", Json("""{"apmask":"-7"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        (await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceA}/definition/from-active", Json("""{"start":"auto"}"""))).Dispose();
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[7],"domains":[1,2],"controlDomains":[3]}""")).Dispose();
        (await PutDefinitionAsync(client, DeviceZ, """{"start":"manual","adapters":[6],"domains":[4]}""")).Dispose();
        var preview = await GetObjectAsync(client, "/api/boot-preview");

        using var response = await client.PostAsync("/api/host/reboot", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bus = await GetObjectAsync(client, "/api/bus");
        Assert.Equal((string?)preview["apmask"], (string?)bus["apmask"]);
        Assert.Equal((string?)preview["aqmask"], (string?)bus["aqmask"]);
        var mdevs = await GetArrayAsync(client, "/api/mdevs");
        var promised = preview["started"]!.AsArray().Select(d => Shape(d!)).ToList();
        var came = mdevs.Select(d => Shape(d!)).ToList();
        Assert.Equal(promised, came);
        Assert.Equal([DeviceA, DeviceX], came.Select(c => c.Split('|')[0]));
        // Guests do not survive a reboot; the device's name does.
        var a = await GetObjectAsync(client, $"/api/mdevs/{DeviceA}");
        Assert.Null(a["guest"]);
        Assert.Equal("payments-a", (string?)a["name"]);
        Assert.Contains("host.reboot", await client.GetStringAsync("/api/audit"));
    }

    private static string Shape(JsonNode d) =>
        $"{d["uuid"]}|{d["adapters"]!.ToJsonString()}|{d["domains"]!.ToJsonString()}|{d["controlDomains"]!.ToJsonString()}|{d["matrix"]!.ToJsonString()}|{d["guestMatrix"]!.ToJsonString()}";

    [Fact]
    public async Task ADeviceThatWouldNotStartIsListedWithTheStepErrnoAndReason()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        // Adapter 100 is above the demo host's maximum (63): mdevctl's attribute write fails and the device is removed.
        (await SendAsync(client, HttpMethod.Put, "/api/bus/persistent", Json("""{"apmask":"-100"}"""))).Dispose();
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[100],"domains":[4]}""")).Dispose();

        var preview = await GetObjectAsync(client, "/api/boot-preview");

        Assert.Empty(preview["started"]!.AsArray());
        var failed = preview["failed"]!.AsArray().Single()!;
        Assert.Equal(DeviceX, (string?)failed["uuid"]);
        Assert.Equal("attribute", (string?)failed["step"]);
        Assert.Equal("ENODEV", (string?)failed["errno"]);
        Assert.Equal(0, (int?)failed["attributeIndex"]);
    }

    [Fact]
    public async Task TheSimulatedHostKeepsItsDefinitionsInMdevctlsLayoutNextToTheStore()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        (await PutDefinitionAsync(client, DeviceX, """{"start":"manual","adapters":[5],"domains":[4]}""")).Dispose();

        var file = Path.Combine(Path.GetDirectoryName(app.StoragePath)!, "simulated-host/etc/mdevctl.d/matrix", DeviceX);
        Assert.StartsWith("{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"manual\"", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task ADryRunRebootChangesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/host/reboot?dryRun=true", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, await StateAsync(client));
    }

    [Fact]
    public async Task OnlyAnAdminReboots()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient(OperatorKey);

        using var response = await client.PostAsync("/api/host/reboot", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
