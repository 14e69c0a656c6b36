using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Mdevs;

public class GuestTests
{
    private const string DeviceC = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    private static Task<HttpResponseMessage> AttachAsync(HttpClient client, string uuid, string name, string? ifMatch = null) =>
        SendAsync(client, HttpMethod.Put, $"/api/mdevs/{uuid}/guest", Json(System.Text.Json.JsonSerializer.Serialize(new { name })), ifMatch);

    private static Task<HttpResponseMessage> DetachAsync(HttpClient client, string uuid, string? ifMatch = null) =>
        SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{uuid}/guest", ifMatch: ifMatch);

    [Fact]
    public async Task AttachingAGuestToDeviceBShowsItOnTheDeviceAndItsQueues()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await AttachAsync(client, DeviceB, "guest-b");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response)?.Tag);
        var device = await ReadObjectAsync(response);
        Assert.Equal("guest-b", (string?)device["guest"]);
        Assert.Equal(["06.0004"], Strings(device["guestMatrix"]));
        Assert.Equal(2, (long?)device["version"]);
        Assert.Equal("guest-b", (string?)(await GetObjectAsync(client, "/api/queues/06.0004"))["guest"]);
    }

    [Fact]
    public async Task AttachingAGuestToAnEmptyDeviceIsAllowed()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceC}}"}"""))).Dispose();

        using var response = await AttachAsync(client, DeviceC, "9vm.example_01");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var device = await ReadObjectAsync(response);
        Assert.Equal("9vm.example_01", (string?)device["guest"]);
        Assert.Empty(device["guestMatrix"]!.AsArray());
    }

    [Fact]
    public async Task AttachingTheSameGuestAgainIsAnOkNoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AttachAsync(client, DeviceA, "guest-a");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (long?)(await ReadObjectAsync(response))["version"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task AttachingAnotherGuestToADeviceInUseIsMdevInUse()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AttachAsync(client, DeviceA, "guest-x");

        var problem = await AssertProblemAsync(response, 409, "/problems/mdev-in-use");
        Assert.Equal(DeviceA, (string?)problem["mdev"]);
        Assert.Equal("guest-a", (string?)problem["guest"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task AttachingAGuestThatHoldsAnotherDeviceIsGuestHasMdev()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AttachAsync(client, DeviceB, "guest-a");

        var problem = await AssertProblemAsync(response, 409, "/problems/guest-has-mdev");
        Assert.Equal("guest-a", (string?)problem["guest"]);
        Assert.Equal(DeviceA, (string?)problem["mdev"]);
        Assert.Equal("EPERM", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task MdevInUseIsCheckedBeforeGuestHasMdev()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await AttachAsync(client, DeviceB, "guest-b")).Dispose();

        using var response = await AttachAsync(client, DeviceB, "guest-a");

        await AssertProblemAsync(response, 409, "/problems/mdev-in-use");
    }

    [Theory]
    [InlineData("")]
    [InlineData("-guest")]
    [InlineData(".guest")]
    [InlineData("_guest")]
    [InlineData("guest a")]
    [InlineData("guest/a")]
    [InlineData("gäst")]
    [InlineData("guest\n")]
    [InlineData("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public async Task InvalidGuestNameIsInvalidRequest(string name)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AttachAsync(client, DeviceB, name);

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["name"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task GuestNameOf64CharactersIsAccepted()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await AttachAsync(client, DeviceB, "G" + new string('-', 63));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\":null}")]
    [InlineData("{\"name\":5}")]
    [InlineData("{\"name\":\"g\",\"mdev\":\"x\"}")]
    [InlineData("\"guest-b\"")]
    [InlineData("")]
    public async Task MalformedGuestBodyIsInvalidBody(string json)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync($"/api/mdevs/{DeviceB}/guest", Json(json));

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task GuestBodyMustBeJson()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync($"/api/mdevs/{DeviceB}/guest", Text("guest-b"));

        await AssertProblemAsync(response, 415, "/problems/unsupported-media-type");
    }

    [Fact]
    public async Task DetachingTheGuestClearsItFromTheDeviceAndItsQueuesAndFreesTheName()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await DetachAsync(client, DeviceA);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var device = await ReadObjectAsync(response);
        Assert.Null(device["guest"]);
        Assert.Equal(["05.0004", "05.0047"], Strings(device["guestMatrix"]));
        Assert.Equal(2, (long?)device["version"]);
        var queue = await GetObjectAsync(client, "/api/queues/05.0004");
        Assert.Equal(DeviceA, (string?)queue["mdev"]);
        Assert.Null(queue["guest"]);

        using var attach = await AttachAsync(client, DeviceB, "guest-a");
        Assert.Equal(HttpStatusCode.OK, attach.StatusCode);
        using var delete = await client.DeleteAsync($"/api/mdevs/{DeviceA}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task DetachingFromADeviceWithoutGuestIsAnOkNoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await DetachAsync(client, DeviceB);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (long?)(await ReadObjectAsync(response))["version"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task GuestCallsOnAnUnknownDeviceAreNotFoundAndOnAMalformedUuidInvalid()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var attach = await AttachAsync(client, DeviceC, "guest-c");
        await AssertProblemAsync(attach, 404, "/problems/not-found");
        using var detach = await DetachAsync(client, DeviceC);
        await AssertProblemAsync(detach, 404, "/problems/not-found");
        using var badAttach = await AttachAsync(client, "0b1f7c3e", "guest-c");
        await AssertProblemAsync(badAttach, 400, "/problems/invalid-request");
        using var badDetach = await DetachAsync(client, "0b1f7c3e");
        await AssertProblemAsync(badDetach, 400, "/problems/invalid-request");

        await AssertUnchangedAsync(client, before);
    }
}
