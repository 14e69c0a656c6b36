using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Mdevs;

public class MdevLifecycleTests
{
    private const string DeviceC = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    [Fact]
    public async Task DemoListsBothDevicesSortedByUuidWithTheGlobalVersionAsETag()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/mdevs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        var devices = await ReadArrayAsync(response);
        Assert.Equal([DeviceA, DeviceB], devices.Select(d => (string)d!["uuid"]!));
        Assert.Equal(["payments-a", "batch-b"], devices.Select(d => (string)d!["name"]!));
    }

    [Fact]
    public async Task DeviceAShowsItsAssignmentMatrixGuestMatrixAndGuest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/mdevs/{DeviceA}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        var device = await ReadObjectAsync(response);
        Assert.Equal(DeviceA, (string?)device["uuid"]);
        Assert.Equal("payments-a", (string?)device["name"]);
        Assert.Equal([5], Ints(device["adapters"]));
        Assert.Equal([4, 71], Ints(device["domains"]));
        Assert.Equal([4, 71], Ints(device["controlDomains"]));
        Assert.Equal(["05.0004", "05.0047"], Strings(device["matrix"]));
        Assert.Equal(["05.0004", "05.0047"], Strings(device["guestMatrix"]));
        Assert.Equal("guest-a", (string?)device["guest"]);
        Assert.Equal(1, (long?)device["version"]);
        Assert.Null(device["dryRun"]);
    }

    [Fact]
    public async Task DeviceBHasNoGuestButShowsTheGuestMatrixAGuestWouldGet()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceB}");

        Assert.Equal("batch-b", (string?)device["name"]);
        Assert.Equal(["06.0004"], Strings(device["matrix"]));
        Assert.Equal(["06.0004"], Strings(device["guestMatrix"]));
        Assert.Null(device["guest"]);
    }

    [Fact]
    public async Task DeviceIsFoundByItsUuidInUpperCase()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceB.ToUpperInvariant()}");

        Assert.Equal(DeviceB, (string?)device["uuid"]);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("0b1f7c3e2d4a4e559f1d7a0c2b9e6d11")]
    [InlineData("{0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11}")]
    [InlineData("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d1")]
    [InlineData("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d1g")]
    public async Task MalformedUuidInThePathIsInvalidRequest(string uuid)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var get = await client.GetAsync($"/api/mdevs/{Uri.EscapeDataString(uuid)}");
        var problem = await AssertProblemAsync(get, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["uuid"]);
        using var delete = await client.DeleteAsync($"/api/mdevs/{Uri.EscapeDataString(uuid)}");
        await AssertProblemAsync(delete, 400, "/problems/invalid-request");
    }

    [Fact]
    public async Task UnknownDeviceIsNotFound()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/mdevs/{DeviceC}");

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal(DeviceC, (string?)problem["id"]);
        Assert.Equal("matrix device", (string?)problem["kind"]);
    }

    [Fact]
    public async Task CreatingWithoutABodyMakesAnEmptyDeviceWithARandomVersion4Uuid()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/mdevs", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = await ReadObjectAsync(response);
        var uuid = (string)device["uuid"]!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", uuid);
        Assert.Equal($"/api/mdevs/{uuid}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"2\"", ETag(response)?.Tag);
        Assert.Null(device["name"]);
        Assert.Empty(device["adapters"]!.AsArray());
        Assert.Empty(device["domains"]!.AsArray());
        Assert.Empty(device["controlDomains"]!.AsArray());
        Assert.Empty(device["matrix"]!.AsArray());
        Assert.Empty(device["guestMatrix"]!.AsArray());
        Assert.Null(device["guest"]);
        Assert.Equal(2, (long?)device["version"]);

        var read = await GetObjectAsync(client, response.Headers.Location!.OriginalString);
        Assert.True(JsonNode.DeepEquals(device, read));
        Assert.Equal(3, (await GetArrayAsync(client, "/api/mdevs")).Count);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\":\"only-a-name\"}")]
    [InlineData("{\"uuid\":null,\"name\":null}")]
    public async Task CreatingWithOptionalMembersLeftOutIsAccepted(string json)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/mdevs", Json(json));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = await ReadObjectAsync(response);
        Assert.Equal(json.Contains("only-a-name") ? "only-a-name" : null, (string?)device["name"]);
    }

    [Fact]
    public async Task CreatingWithAnUpperCaseUuidStoresItInCanonicalLowerCase()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceC.ToUpperInvariant()}}","name":"crypto-c"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/mdevs/{DeviceC}", response.Headers.Location?.OriginalString);
        var device = await ReadObjectAsync(response);
        Assert.Equal(DeviceC, (string?)device["uuid"]);
        Assert.Equal("crypto-c", (string?)device["name"]);
        var list = await GetArrayAsync(client, "/api/mdevs");
        Assert.Equal([DeviceA, DeviceC, DeviceB], list.Select(d => (string)d!["uuid"]!));
    }

    [Fact]
    public async Task CreatingAnExistingUuidInAnyCaseIsMdevExistsAndChangesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceA.ToUpperInvariant()}}","name":"again"}"""));

        var problem = await AssertProblemAsync(response, 409, "/problems/mdev-exists");
        Assert.Equal(DeviceA, (string?)problem["mdev"]);
        Assert.Equal("/api/mdevs", (string?)problem["instance"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("0b1f7c3e2d4a4e559f1d7a0c2b9e6d11")]
    [InlineData("")]
    public async Task CreatingWithAMalformedUuidIsInvalidRequest(string uuid)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{uuid}}"}"""));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["uuid"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData(65, "")]
    [InlineData(3, "\\u0007")]
    [InlineData(3, "\\n")]
    [InlineData(3, "\\u007f")]
    public async Task CreatingWithANameTooLongOrWithControlCharactersIsInvalidRequest(int length, string inject)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"name":"{{new string('n', length)}}{{inject}}"}"""));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["name"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task NameOfExactly64CharactersWithSpacesAndUnicodeIsAccepted()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var name = "Zahlungsverkehr ü " + new string('x', 46);

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"name":"{{name}}"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(name, (string?)(await ReadObjectAsync(response))["name"]);
    }

    [Theory]
    [InlineData("{\"uuid\":5}")]
    [InlineData("{\"name\":[\"x\"]}")]
    [InlineData("{\"name\":\"x\",\"guest\":\"g\"}")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{")]
    public async Task CreatingWithAMalformedBodyIsInvalidBody(string json)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PostAsync("/api/mdevs", Json(json));

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task CreatingWithANonJsonBodyIsUnsupportedMediaType()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/mdevs", Text("name=x"));

        await AssertProblemAsync(response, 415, "/problems/unsupported-media-type");
    }

    [Fact]
    public async Task CreateComparesIfMatchWithTheGlobalVersion()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose(); // global version 2
        var before = await StateAsync(client);

        using var stale = await SendAsync(client, HttpMethod.Post, "/api/mdevs", Json("{}"), "\"1\"");
        var problem = await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        Assert.Equal(2, (long?)problem["currentVersion"]);
        await AssertUnchangedAsync(client, before);

        using var list = await client.GetAsync("/api/mdevs");
        using var current = await SendAsync(client, HttpMethod.Post, "/api/mdevs", Json("{}"), ETag(list)!.Tag);
        Assert.Equal(HttpStatusCode.Created, current.StatusCode);
    }

    [Fact]
    public async Task DryRunCreateAnswersLikeTheRealCallAndCreatesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);
        var body = $$"""{"uuid":"{{DeviceC}}","name":"c"}""";

        using var dry = await client.PostAsync("/api/mdevs?dryRun=true", Json(body));
        Assert.Equal(HttpStatusCode.Created, dry.StatusCode);
        var dryBody = await ReadObjectAsync(dry);
        Assert.True((bool?)dryBody["dryRun"]);
        await AssertUnchangedAsync(client, before);
        using var missing = await client.GetAsync($"/api/mdevs/{DeviceC}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var real = await client.PostAsync("/api/mdevs", Json(body));
        var realBody = await ReadObjectAsync(real);
        Assert.Equal(real.Headers.Location, dry.Headers.Location);
        Assert.True(JsonNode.DeepEquals(WithoutDryRun(dryBody), WithoutDryRun(realBody)), $"{dryBody} vs {realBody}");
    }

    [Fact]
    public async Task DryRunCreateOfAnExistingUuidIsMdevExists()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var dry = await client.PostAsync("/api/mdevs?dryRun=true", Json($$"""{"uuid":"{{DeviceB}}"}"""));

        await AssertProblemAsync(dry, 409, "/problems/mdev-exists");
    }

    [Fact]
    public async Task CreatingBeyondTheConfiguredDeviceLimitIsMdevLimit()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:MaxMdevs"] = "3" });
        using var client = app.CreateClient();
        using var third = await client.PostAsync("/api/mdevs", null);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        var before = await StateAsync(client);

        using var dry = await client.PostAsync("/api/mdevs?dryRun=true", Json("{}"));
        var dryProblem = await AssertProblemAsync(dry, 409, "/problems/mdev-limit");
        using var fourth = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceC}}"}"""));
        var problem = await AssertProblemAsync(fourth, 409, "/problems/mdev-limit");

        Assert.Equal(3, (int?)problem["limit"]);
        Assert.Equal(3, (int?)dryProblem["limit"]);
        await AssertUnchangedAsync(client, before);
        using var delete = await client.DeleteAsync($"/api/mdevs/{DeviceB}");
        using var again = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceC}}"}"""));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task NotFoundNamesTheDeviceKindTheSameWayForReadsAndMutations()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, ""), (HttpMethod.Delete, ""), (HttpMethod.Put, "/adapters/5"), (HttpMethod.Delete, "/domains/4"),
                     (HttpMethod.Delete, "/guest"),
                 })
        {
            using var response = await SendAsync(client, method, $"/api/mdevs/{DeviceC}{path}");
            var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
            Assert.Equal("matrix device", (string?)problem["kind"]);
            Assert.Equal(DeviceC, (string?)problem["id"]);
        }
    }

    [Fact]
    public async Task DeletingADeviceWithoutGuestRemovesItAndLeavesItsQueuesOnVfioAp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.DeleteAsync($"/api/mdevs/{DeviceB}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        using var gone = await client.GetAsync($"/api/mdevs/{DeviceB}");
        await AssertProblemAsync(gone, 404, "/problems/not-found");
        Assert.Equal([DeviceA], (await GetArrayAsync(client, "/api/mdevs")).Select(d => (string)d!["uuid"]!));
        var queue = await GetObjectAsync(client, "/api/queues/06.0004");
        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Null(queue["mdev"]);
        Assert.Equal(2, (long?)queue["version"]);
        // Its APQNs no longer block the host: +6 is accepted now.
        using var mask = await PutMaskAsync(client, "apmask", "+6");
        Assert.Equal(HttpStatusCode.OK, mask.StatusCode);
    }

    [Fact]
    public async Task DeletingADeviceWithAGuestIsMdevInUseAndChangesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.DeleteAsync($"/api/mdevs/{DeviceA}");

        var problem = await AssertProblemAsync(response, 409, "/problems/mdev-in-use");
        Assert.Equal(DeviceA, (string?)problem["mdev"]);
        Assert.Equal("guest-a", (string?)problem["guest"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task DeletingAnUnknownDeviceIsNotFound()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.DeleteAsync($"/api/mdevs/{DeviceC}");

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal(DeviceC, (string?)problem["id"]);
        Assert.Equal("matrix device", (string?)problem["kind"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task DeleteHonoursIfMatchAgainstTheDevicesVersion()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var stale = await SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{DeviceB}", ifMatch: "\"2\"");
        var problem = await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        Assert.Equal(1, (long?)problem["currentVersion"]);
        await AssertUnchangedAsync(client, before);

        using var current = await SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{DeviceB}", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.NoContent, current.StatusCode);
    }

    [Fact]
    public async Task DryRunDeleteAnswers204LikeTheRealCallSaysSoInAHeaderAndDeletesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var dry = await client.DeleteAsync($"/api/mdevs/{DeviceB}?dryRun=true");

        Assert.Equal(HttpStatusCode.NoContent, dry.StatusCode);
        Assert.Equal(["true"], dry.Headers.GetValues("ApManager-Dry-Run"));
        Assert.Empty(await dry.Content.ReadAsByteArrayAsync());
        await AssertUnchangedAsync(client, before);

        using var real = await client.DeleteAsync($"/api/mdevs/{DeviceB}");
        Assert.Equal(HttpStatusCode.NoContent, real.StatusCode);
        Assert.False(real.Headers.Contains("ApManager-Dry-Run"));
        before = await StateAsync(client);

        using var refused = await client.DeleteAsync($"/api/mdevs/{DeviceA}?dryRun=true");
        await AssertProblemAsync(refused, 409, "/problems/mdev-in-use");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task DeletedUuidCanBeCreatedAgain()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await client.DeleteAsync($"/api/mdevs/{DeviceB}")).Dispose();

        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceB}}"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = await ReadObjectAsync(response);
        Assert.Empty(device["adapters"]!.AsArray());
        Assert.Equal(3, (long?)device["version"]);
    }

    [Fact]
    public async Task UnknownQueryParameterOnMdevCallsIsInvalidQuery()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var list = await client.GetAsync("/api/mdevs?guest=guest-a");
        await AssertProblemAsync(list, 400, "/problems/invalid-query");
        using var create = await client.PostAsync("/api/mdevs?count=2", Json("{}"));
        await AssertProblemAsync(create, 400, "/problems/invalid-query");
        using var delete = await client.DeleteAsync($"/api/mdevs/{DeviceB}?force=true");
        await AssertProblemAsync(delete, 400, "/problems/invalid-query");

        await AssertUnchangedAsync(client, before);
    }
}
