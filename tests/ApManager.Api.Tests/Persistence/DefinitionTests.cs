using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Persistence;

public class DefinitionTests
{
    public const string DeviceX = "3f0d2c1e-7a44-4c4b-9d55-0a1b2c3d4e5f";
    public const string DeviceY = "b6a1e0d2-1c2d-4e3f-8a9b-112233445566";

    public static Task<HttpResponseMessage> PutDefinitionAsync(HttpClient client, string uuid, string json, string? ifMatch = null, bool dryRun = false) =>
        SendAsync(client, HttpMethod.Put, $"/api/mdevs/{uuid}/definition{(dryRun ? "?dryRun=true" : "")}", Json(json), ifMatch);

    /// <summary>
    /// <c>chzdev -p -t ap apmask=… aqmask=…</c> with the active masks: without a rules file the host
    /// boots with the kernel's default (every queue the host's), where no autostart definition can start.
    /// </summary>
    public static async Task<JsonObject> KeepActiveMasksAtBootAsync(HttpClient client)
    {
        var bus = await GetObjectAsync(client, "/api/bus");
        using var response = await SendAsync(client, HttpMethod.Put, "/api/bus/persistent",
            Json($$"""{"apmask":"{{(string?)bus["apmask"]}}","aqmask":"{{(string?)bus["aqmask"]}}"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadObjectAsync(response);
    }

    private static async Task<string> DefinitionsAsync(HttpClient client) =>
        await client.GetStringAsync("/api/definitions") + await client.GetStringAsync("/api/bus/persistent");

    [Fact]
    public async Task DefiningADeviceWritesItAndGetShowsItsIdsAttributesAndThatItIsNotActive()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await KeepActiveMasksAtBootAsync(client);

        using var response = await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[71,4],"controlDomains":[4]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(ETag(response));
        var definition = await GetObjectAsync(client, $"/api/mdevs/{DeviceX}/definition");
        Assert.Equal("auto", (string?)definition["start"]);
        Assert.Equal([5], Ints(definition["adapters"]));
        Assert.Equal([4, 71], Ints(definition["domains"]));
        Assert.Equal([4], Ints(definition["controlDomains"]));
        Assert.Equal("""[{"assign_adapter":"5"},{"assign_domain":"4"},{"assign_domain":"71"},{"assign_control_domain":"4"}]""", definition["attrs"]!.ToJsonString());
        Assert.False((bool)definition["active"]!);
        var listed = await GetArrayAsync(client, "/api/definitions");
        Assert.Equal([DeviceX], listed.Select(d => (string)d!["uuid"]!));
    }

    [Fact]
    public async Task ADefinitionOfAnActiveDeviceIsMarkedActive()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceA}/definition/from-active", Json("""{"start":"manual"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var definition = await ReadObjectAsync(response);
        Assert.True((bool)definition["active"]!);
        Assert.Equal("manual", (string?)definition["start"]);
        Assert.Equal("""[{"assign_adapter":"5"},{"assign_domain":"4"},{"assign_domain":"71"},{"assign_control_domain":"4"},{"assign_control_domain":"71"}]""", definition["attrs"]!.ToJsonString());
    }

    [Fact]
    public async Task DefiningFromADeviceThatIsNotActiveIsNotFound()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceX}/definition/from-active");

        await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));
    }

    [Fact]
    public async Task AMissingDefinitionIsNotFound()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var get = await client.GetAsync($"/api/mdevs/{DeviceX}/definition");
        using var delete = await client.DeleteAsync($"/api/mdevs/{DeviceX}/definition");

        await AssertProblemAsync(get, 404, "/problems/not-found");
        await AssertProblemAsync(delete, 404, "/problems/not-found");
    }

    [Fact]
    public async Task ABadDefinitionBodyIsRefusedNamingEveryBadMember()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutDefinitionAsync(client, DeviceX, """{"start":"sometimes","adapters":[300],"domains":[],"controlDomains":[1]}""");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-definition");
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("start"));
        Assert.True(errors.ContainsKey("adapters"));
        Assert.True(errors.ContainsKey("domains"));
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));
    }

    [Fact]
    public async Task AnUnknownMemberIsAnInvalidBody()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapterz":[5]}""");

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
    }

    [Fact]
    public async Task AnAutostartDefinitionSharingApqnsAndTakingHostOwnedOnesIsRefusedListingEveryOffender()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await KeepActiveMasksAtBootAsync(client);
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4,71]}""")).Dispose();
        (await client.PutAsync($"/api/mdevs/{DeviceA}/guest", Json("""{"name":"guest-a"}"""))).Dispose();
        (await PutDefinitionAsync(client, DeviceA, """{"start":"manual","adapters":[5,7],"domains":[4,71]}""")).Dispose();
        var before = await DefinitionsAsync(client);

        // Adapter 7 is the host's at boot (its apmask bit is set in the rules file).
        using var response = await PutDefinitionAsync(client, DeviceA, """{"start":"auto","adapters":[5,7],"domains":[4,71]}""");

        var problem = await AssertProblemAsync(response, 409, "/problems/definition-conflict");
        Assert.Equal("EADDRINUSE", (string?)problem["errno"]);
        Assert.Equal([DeviceA, DeviceX], Strings(problem["definitions"]));
        var offenders = problem["offendingApqns"]!.AsArray();
        Assert.Equal(["05.0004", "05.0047", "07.0004", "07.0047"], Apqns(offenders));
        Assert.All(offenders.Take(2), o =>
        {
            Assert.Equal("shared", (string?)o!["reason"]);
            Assert.Equal(DeviceA, (string?)o["definition"]);
            Assert.Equal(DeviceX, (string?)o["sharedWith"]);
            Assert.Equal("guest-a", (string?)o["guest"]);
        });
        Assert.All(offenders.Skip(2), o =>
        {
            Assert.Equal("owned-by-host", (string?)o!["reason"]);
            Assert.Null(o["sharedWith"]);
        });
        Assert.Equal(before, await DefinitionsAsync(client));
    }

    [Fact]
    public async Task Without_a_rules_file_the_host_boots_with_every_queue_and_an_autostart_definition_is_refused()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        // ap-check would accept this (libap falls back to the active masks); the next boot would not start it.
        using var response = await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceA}/definition/from-active", Json("""{"start":"auto"}"""));

        var problem = await AssertProblemAsync(response, 409, "/problems/definition-conflict");
        Assert.Equal(["05.0004", "05.0047"], Apqns(problem["offendingApqns"]));
        Assert.All(problem["offendingApqns"]!.AsArray(), o => Assert.Equal("owned-by-host", (string?)o!["reason"]));
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));

        // A manual definition never starts at boot: nothing to refuse.
        using var manual = await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceA}/definition/from-active", Json("""{"start":"manual"}"""));
        Assert.Equal(HttpStatusCode.OK, manual.StatusCode);
    }

    [Fact]
    public async Task ADryRunAnswersTheDefinitionAndWritesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await KeepActiveMasksAtBootAsync(client);

        using var response = await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4]}""", dryRun: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4]}""")).Dispose();
        using var delete = await SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{DeviceX}/definition?dryRun=true");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(["true"], delete.Headers.GetValues("ApManager-Dry-Run"));
        Assert.Single(await GetArrayAsync(client, "/api/definitions"));
    }

    [Fact]
    public async Task IfMatchWithAStaleDefinitionsVersionIsRefusedWith412()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var list = await client.GetAsync("/api/definitions");
        var stale = ETag(list)!.Tag;
        (await PutDefinitionAsync(client, DeviceX, """{"start":"manual","adapters":[5],"domains":[4]}""", stale)).Dispose();

        using var response = await PutDefinitionAsync(client, DeviceY, """{"start":"manual","adapters":[6],"domains":[4]}""", stale);

        await AssertProblemAsync(response, 412, "/problems/version-mismatch");
        Assert.Single(await GetArrayAsync(client, "/api/definitions"));
        using var current = await client.GetAsync("/api/definitions");
        using var ok = await PutDefinitionAsync(client, DeviceY, """{"start":"manual","adapters":[6],"domains":[4]}""", ETag(current)!.Tag);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task UndefiningRemovesTheDefinitionAndLeavesTheActiveDevice()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceB}/definition/from-active")).Dispose();

        using var response = await client.DeleteAsync($"/api/mdevs/{DeviceB}/definition");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));
        using var device = await client.GetAsync($"/api/mdevs/{DeviceB}");
        Assert.Equal(HttpStatusCode.OK, device.StatusCode);
    }

    [Fact]
    public async Task ActivatingADefinitionCreatesTheDeviceWithItsIds()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutDefinitionAsync(client, DeviceX, """{"start":"manual","adapters":[6],"domains":[5],"controlDomains":[5]}""")).Dispose();

        using var response = await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceX}/definition/activate");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceX}");
        Assert.Equal(["06.0005"], Strings(device["matrix"]));
        Assert.True((bool)(await GetObjectAsync(client, $"/api/mdevs/{DeviceX}/definition"))["active"]!);
    }

    [Fact]
    public async Task ActivatingADefinitionThatConflictsWithAnActiveDeviceIsRefusedAndLeavesNoDevice()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutDefinitionAsync(client, DeviceX, """{"start":"manual","adapters":[6],"domains":[4]}""")).Dispose();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Post, $"/api/mdevs/{DeviceX}/definition/activate");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-conflict");
        Assert.Equal(["06.0004"], Apqns(problem["offendingApqns"]));
        using var device = await client.GetAsync($"/api/mdevs/{DeviceX}");
        Assert.Equal(HttpStatusCode.NotFound, device.StatusCode);
    }

    [Fact]
    public async Task DefinitionCallsAreAuditedAndAnnounced()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await KeepActiveMasksAtBootAsync(client);
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4]}""")).Dispose();
        (await PutDefinitionAsync(client, DeviceY, """{"start":"auto","adapters":[5],"domains":[4]}""")).Dispose();

        var audit = (await client.GetStringAsync("/api/audit"));

        Assert.Contains("definition.put", audit);
        Assert.Contains("definitions-changed", audit);
        Assert.Contains("definition-conflict", audit);
    }

    [Fact]
    public async Task A_device_created_and_defined_in_one_call_is_running_and_defined()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await KeepActiveMasksAtBootAsync(client);

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceX}}","name":"vm-x","define":"auto"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("vm-x", (string?)(await GetObjectAsync(client, $"/api/mdevs/{DeviceX}"))["name"]);
        var definition = await GetObjectAsync(client, $"/api/mdevs/{DeviceX}/definition");
        Assert.Equal("auto", (string?)definition["start"]);
        Assert.True((bool)definition["active"]!);
        Assert.Equal("[]", definition["attrs"]!.ToJsonString());
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("")]
    public async Task A_create_with_an_unknown_define_mode_is_refused_and_creates_nothing(string mode)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceX}}","define":"{{mode}}"}"""));

        await AssertProblemAsync(response, 400, "/problems/invalid-definition");
        await AssertUnchangedAsync(client, before);
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));
    }
}
