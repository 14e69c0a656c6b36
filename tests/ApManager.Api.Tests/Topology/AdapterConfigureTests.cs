using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Topology;

public class AdapterConfigureTests
{
    private static Task<HttpResponseMessage> ConfigureAsync(HttpClient client, string id, bool configured, string? ifMatch = null, string query = "") =>
        SendAsync(client, HttpMethod.Put, $"/api/adapters/{id}/configured{query}", Json($$"""{"configured":{{(configured ? "true" : "false")}}}"""), ifMatch);

    [Fact]
    public async Task DeconfiguringAdapterFiveRemovesItsQueuesAndEmptiesTheGuestMatrixOfDeviceA()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await ConfigureAsync(client, "5", false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response)?.Tag);
        var result = await ReadObjectAsync(response);
        var adapter = result["adapter"]!;
        Assert.Equal(5, (int?)adapter["id"]);
        Assert.False((bool?)adapter["configured"]);
        Assert.False((bool?)adapter["online"]);
        Assert.Empty(adapter["queues"]!.AsArray());
        Assert.Equal(2, (long?)adapter["version"]);
        Assert.False((bool?)result["dryRun"]);

        Assert.Empty(await GetArrayAsync(client, "/api/queues?adapter=5"));
        Assert.Equal(20, (await GetArrayAsync(client, "/api/queues")).Count);
        using var gone = await client.GetAsync("/api/queues/05.0004");
        await AssertProblemAsync(gone, 404, "/problems/not-found");

        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceA}");
        Assert.Empty(device["guestMatrix"]!.AsArray());
        Assert.Equal(["05.0004", "05.0047"], Strings(device["matrix"]));
        Assert.Equal([5], Ints(device["adapters"]));
        Assert.Equal("guest-a", (string?)device["guest"]);
        Assert.Equal(2, (long?)device["version"]);

        var adapterRead = await GetObjectAsync(client, "/api/adapters/5");
        Assert.False((bool?)adapterRead["configured"]);
    }

    [Fact]
    public async Task ConfiguringAdapterFiveAgainBringsItsQueuesAndTheGuestMatrixBack()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await ConfigureAsync(client, "5", false)).Dispose();

        using var response = await ConfigureAsync(client, "5", true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.True((bool?)result["adapter"]!["configured"]);
        Assert.Equal(["05.0004", "05.0005", "05.0006", "05.0047", "05.0048"], Strings(result["adapter"]!["queues"]));
        Assert.Equal(3, (long?)result["adapter"]!["version"]);

        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceA}");
        Assert.Equal(["05.0004", "05.0047"], Strings(device["guestMatrix"]));
        var queue = await GetObjectAsync(client, "/api/queues/05.0047");
        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Equal(DeviceA, (string?)queue["mdev"]);
        Assert.Equal("guest-a", (string?)queue["guest"]);
        var drivers = await GetArrayAsync(client, "/api/drivers");
        Assert.Equal(10, (int?)drivers.Single(d => (string?)d!["name"] == "vfio_ap")!["queues"]);
    }

    [Fact]
    public async Task DeconfiguringAHostAdapterDropsItsQueuesFromTheHostDriver()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await ConfigureAsync(client, "3", false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var drivers = await GetArrayAsync(client, "/api/drivers");
        Assert.Equal(10, (int?)drivers.Single(d => (string?)d!["name"] == "cex4queue")!["queues"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SettingTheStateAnAdapterAlreadyHasIsANoOp(bool deconfigureFirst)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        if (deconfigureFirst)
        {
            (await ConfigureAsync(client, "4", false)).Dispose();
        }
        var before = await StateAsync(client);
        var version = deconfigureFirst ? 2 : 1;

        using var response = await ConfigureAsync(client, "4", !deconfigureFirst);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(version, (long?)result["adapter"]!["version"]);
        Assert.Empty(result["rebound"]!.AsArray());
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ConfiguringAMissingAdapterIsNotFound()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await ConfigureAsync(client, "9", false);

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal("adapter", (string?)problem["kind"]);
        Assert.Equal("9", (string?)problem["id"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("300")]
    [InlineData("-1")]
    public async Task ConfiguringAMalformedAdapterIdIsInvalidRequest(string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await ConfigureAsync(client, id, false);

        await AssertProblemAsync(response, 400, "/problems/invalid-request");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task StaleIfMatchOnConfigureIsVersionMismatchEvenForANoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var change = await ConfigureAsync(client, "5", false, "\"2\"");
        var problem = await AssertProblemAsync(change, 412, "/problems/version-mismatch");
        Assert.Equal(1, (long?)problem["currentVersion"]);
        using var noOp = await ConfigureAsync(client, "5", true, "\"2\"");
        await AssertProblemAsync(noOp, 412, "/problems/version-mismatch");

        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task IfMatchOnConfigureComparesWithTheAdaptersOwnVersion()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose(); // global version 2, adapter 4 still at 1

        using var stale = await ConfigureAsync(client, "4", false, "\"2\"");
        await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        using var current = await ConfigureAsync(client, "4", false, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        using var wildcard = await ConfigureAsync(client, "4", true, "*");
        Assert.Equal(HttpStatusCode.OK, wildcard.StatusCode);
    }

    [Fact]
    public async Task AdapterETagIsTheIfMatchThatConfigureAccepts()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await ConfigureAsync(client, "5", false)).Dispose();
        using var read = await client.GetAsync("/api/adapters/5");
        Assert.Equal("\"2\"", ETag(read)?.Tag);

        using var response = await ConfigureAsync(client, "5", true, ETag(read)!.Tag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task DryRunConfigureAnswersLikeTheRealCallAndChangesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var dry = await ConfigureAsync(client, "5", false, query: "?dryRun=true");
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var dryBody = await ReadObjectAsync(dry);
        Assert.True((bool?)dryBody["dryRun"]);
        await AssertUnchangedAsync(client, before);

        using var real = await ConfigureAsync(client, "5", false);
        var realBody = await ReadObjectAsync(real);
        Assert.True(JsonNode.DeepEquals(WithoutDryRun(dryBody), WithoutDryRun(realBody)), $"{dryBody} vs {realBody}");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"configured\":\"false\"}")]
    [InlineData("{\"configured\":0}")]
    [InlineData("{\"configured\":null}")]
    [InlineData("{\"configured\":false,\"online\":false}")]
    [InlineData("[false]")]
    [InlineData("false")]
    [InlineData("{")]
    [InlineData("")]
    public async Task MalformedConfigureBodyIsInvalidBody(string json)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/adapters/5/configured", Json(json));

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ConfigureBodyMustBeJson()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var text = await client.PutAsync("/api/adapters/5/configured", Text("false"));
        await AssertProblemAsync(text, 415, "/problems/unsupported-media-type");
        using var huge = await client.PutAsync("/api/adapters/5/configured", Json("{\"configured\":false" + new string(' ', 70_000) + "}"));
        await AssertProblemAsync(huge, 413, "/problems/payload-too-large");
        using var query = await client.PutAsync("/api/adapters/5/configured?force=true", Json("{\"configured\":false}"));
        await AssertProblemAsync(query, 400, "/problems/invalid-query");
        using var dry = await client.PutAsync("/api/adapters/5/configured?dryRun=maybe", Json("{\"configured\":false}"));
        await AssertProblemAsync(dry, 400, "/problems/invalid-query");
    }
}
