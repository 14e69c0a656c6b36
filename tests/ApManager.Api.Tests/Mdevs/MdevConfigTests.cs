using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Mdevs;

public class MdevConfigTests
{
    private const string DeviceC = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    private static Task<HttpResponseMessage> PutConfigAsync(HttpClient client, string uuid, string json, string? ifMatch = null) =>
        SendAsync(client, HttpMethod.Put, $"/api/mdevs/{uuid}/config", Json(json), ifMatch);

    [Fact]
    public async Task ReplacingTheConfigurationSetsAllThreeListsInOneStep()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutConfigAsync(client, DeviceB, """{"adapters":[6],"domains":[72,4,71,4],"controlDomains":[9,4]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response)?.Tag);
        var device = await ReadObjectAsync(response);
        Assert.Equal([6], Ints(device["adapters"]));
        Assert.Equal([4, 71, 72], Ints(device["domains"]));
        Assert.Equal([4, 9], Ints(device["controlDomains"]));
        Assert.Equal(["06.0004", "06.0047", "06.0048"], Strings(device["matrix"]));
        Assert.Equal(2, (long?)device["version"]);
        // A device change leaves the bus alone.
        Assert.Equal(1, (long?)(await GetObjectAsync(client, "/api/bus"))["version"]);
    }

    [Fact]
    public async Task ReplacingWithAnEqualConfigurationIsAnOkNoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutConfigAsync(client, DeviceA, """{"adapters":[5,5],"domains":[71,4],"controlDomains":[71,4]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (long?)(await ReadObjectAsync(response))["version"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ReplacingWithEmptyListsFreesEveryApqn()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutConfigAsync(client, DeviceB, """{"adapters":[],"domains":[],"controlDomains":[]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var device = await ReadObjectAsync(response);
        Assert.Empty(device["matrix"]!.AsArray());
        Assert.Empty(device["controlDomains"]!.AsArray());
        Assert.Null((await GetObjectAsync(client, "/api/queues/06.0004"))["mdev"]);
    }

    [Fact]
    public async Task ReplacingTheConfigurationOfADeviceWithAGuestHotPlugsAndUnplugsAtOnce()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutConfigAsync(client, DeviceA, """{"adapters":[5],"domains":[4,5,6],"controlDomains":[4]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var device = await ReadObjectAsync(response);
        Assert.Equal("guest-a", (string?)device["guest"]);
        Assert.Equal(["05.0004", "05.0005", "05.0006"], Strings(device["guestMatrix"]));
        Assert.Null((await GetObjectAsync(client, "/api/queues/05.0047"))["mdev"]);
        Assert.Equal("guest-a", (string?)(await GetObjectAsync(client, "/api/queues/05.0006"))["guest"]);
    }

    [Theory]
    [InlineData("""{"adapters":[100,6,64,100,-1],"domains":[4],"controlDomains":[4]}""", "adapter", new long[] { -1, 64, 100 }, 63)]
    [InlineData("""{"adapters":[6],"domains":[4,200,85],"controlDomains":[4]}""", "domain", new long[] { 85, 200 }, 84)]
    [InlineData("""{"adapters":[6],"domains":[4],"controlDomains":[4,90]}""", "control-domain", new long[] { 90 }, 84)]
    public async Task OutOfRangeIdsOfOneListAreAllNamedAndChangeNothing(string config, string kind, long[] ids, int max)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutConfigAsync(client, DeviceB, config);

        var problem = await AssertProblemAsync(response, 400, "/problems/id-out-of-range");
        Assert.Equal(kind, (string?)problem["kind"]);
        Assert.Equal(ids, problem["ids"]!.AsArray().Select(i => (long)i!));
        Assert.Equal(max, (int?)problem["max"]);
        Assert.Equal("ENODEV", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task OutOfRangeIdsOfEveryListAreNamedTogether()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutConfigAsync(client, DeviceB, """{"adapters":[64],"domains":[85],"controlDomains":[90]}""");

        var problem = await AssertProblemAsync(response, 400, "/problems/id-out-of-range");
        var detail = (string)problem["detail"]!;
        Assert.Contains("64", detail);
        Assert.Contains("85", detail);
        Assert.Contains("90", detail);
        var groups = problem["outOfRange"]!.AsArray().Select(g => ((string)g!["kind"]!, string.Join(",", g["ids"]!.AsArray().Select(i => (long)i!)))).ToList();
        Assert.Equal([("adapter", "64"), ("domain", "85"), ("control-domain", "90")], groups);
    }

    [Fact]
    public async Task OutOfRangeAdaptersAndDomainsTogetherAreRefusedAndChangeNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutConfigAsync(client, DeviceB, """{"adapters":[64],"domains":[85],"controlDomains":[90]}""");

        var problem = await AssertProblemAsync(response, 400, "/problems/id-out-of-range");
        Assert.Contains(64L, problem["ids"]!.AsArray().Select(i => (long)i!));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task RangeIsCheckedBeforeOwnershipAndConflicts()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        // Adapter 3 would be host-owned and adapter 5 a conflict, but 64 is out of range first.
        using var response = await PutConfigAsync(client, DeviceB, """{"adapters":[3,5,64],"domains":[4],"controlDomains":[]}""");

        await AssertProblemAsync(response, 400, "/problems/id-out-of-range");
    }

    [Fact]
    public async Task HostOwnedApqnsInTheNewConfigurationAreAllListed()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutConfigAsync(client, DeviceB, """{"adapters":[7,3,6],"domains":[5,4],"controlDomains":[4]}""");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-owned-by-host");
        Assert.Equal(["03.0004", "03.0005", "07.0004", "07.0005"], Apqns(problem["offendingApqns"]));
        Assert.All(problem["offendingApqns"]!.AsArray(), o =>
        {
            Assert.Equal("cex4queue", (string?)o!["driver"]);
            Assert.Null(o["mdev"]);
        });
        Assert.Equal("EADDRNOTAVAIL", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ConflictsWithSeveralDevicesAreAllListedAndNothingChanges()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceC}}"}"""))).Dispose();
        var before = await StateAsync(client);

        using var response = await PutConfigAsync(client, DeviceC, """{"adapters":[6,5],"domains":[71,4],"controlDomains":[4]}""");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-conflict");
        var offenders = problem["offendingApqns"]!.AsArray();
        Assert.Equal(["05.0004", "05.0047", "06.0004"], Apqns(offenders));
        Assert.Equal([DeviceA, DeviceA, DeviceB], offenders.Select(o => (string)o!["mdev"]!));
        Assert.Equal(["guest-a", "guest-a", null], offenders.Select(o => (string?)o!["guest"]));
        Assert.Equal("EADDRINUSE", (string?)problem["errno"]);
        Assert.Equal(DeviceC, (string?)problem["mdev"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ConfigOnAnUnknownDeviceIsNotFoundAndOnAMalformedUuidInvalid()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var unknown = await PutConfigAsync(client, DeviceC, """{"adapters":[],"domains":[],"controlDomains":[]}""");
        await AssertProblemAsync(unknown, 404, "/problems/not-found");
        using var malformed = await PutConfigAsync(client, "xyz", """{"adapters":[],"domains":[],"controlDomains":[]}""");
        await AssertProblemAsync(malformed, 400, "/problems/invalid-request");

        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("{\"adapters\":[6],\"domains\":[4]}")]
    [InlineData("{\"adapters\":[6],\"domains\":[4],\"controlDomains\":null}")]
    [InlineData("{\"adapters\":\"6\",\"domains\":[4],\"controlDomains\":[]}")]
    [InlineData("{\"adapters\":[\"6\"],\"domains\":[4],\"controlDomains\":[]}")]
    [InlineData("{\"adapters\":[6.5],\"domains\":[4],\"controlDomains\":[]}")]
    [InlineData("{\"adapters\":[null],\"domains\":[4],\"controlDomains\":[]}")]
    [InlineData("{\"adapters\":[99999999999999999999],\"domains\":[4],\"controlDomains\":[]}")]
    [InlineData("{\"adapters\":[6],\"domains\":[4],\"controlDomains\":[],\"guest\":\"x\"}")]
    [InlineData("[[6],[4],[4]]")]
    [InlineData("{}")]
    [InlineData("")]
    public async Task MalformedConfigBodyIsInvalidBodyAndChangesNothing(string json)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutConfigAsync(client, DeviceB, json);

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ConfigBodyMustBeJsonAndSmall()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var text = await client.PutAsync($"/api/mdevs/{DeviceB}/config", Text("adapters=6"));
        await AssertProblemAsync(text, 415, "/problems/unsupported-media-type");
        var many = string.Join(',', Enumerable.Repeat("6", 40_000));
        using var huge = await PutConfigAsync(client, DeviceB, $$"""{"adapters":[{{many}}],"domains":[4],"controlDomains":[]}""");
        await AssertProblemAsync(huge, 413, "/problems/payload-too-large");
    }
}
