using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Mdevs;

public class MdevAssignmentTests
{
    private const string DeviceC = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    private static Task<HttpResponseMessage> AssignAsync(HttpClient client, string uuid, string segment, string id, string? ifMatch = null) =>
        SendAsync(client, HttpMethod.Put, $"/api/mdevs/{uuid}/{segment}/{id}", ifMatch: ifMatch);

    private static Task<HttpResponseMessage> UnassignAsync(HttpClient client, string uuid, string segment, string id, string? ifMatch = null) =>
        SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{uuid}/{segment}/{id}", ifMatch: ifMatch);

    private static async Task<JsonObject> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await ReadObjectAsync(response);
    }

    private static async Task CreateCAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{DeviceC}}","name":"c"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AssigningADomainExtendsTheMatrixAndBumpsTheDeviceVersion()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await AssignAsync(client, DeviceB, "domains", "71");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response)?.Tag);
        var device = await ReadObjectAsync(response);
        Assert.Equal([4, 71], Ints(device["domains"]));
        Assert.Equal(["06.0004", "06.0047"], Strings(device["matrix"]));
        Assert.Equal(["06.0004", "06.0047"], Strings(device["guestMatrix"]));
        Assert.Equal(2, (long?)device["version"]);
        Assert.Null(device["dryRun"]);
        Assert.Equal(DeviceB, (string?)(await GetObjectAsync(client, "/api/queues/06.0047"))["mdev"]);
        // The other device did not change.
        Assert.Equal(1, (long?)(await GetObjectAsync(client, $"/api/mdevs/{DeviceA}"))["version"]);
    }

    [Fact]
    public async Task AssigningAnAdapterToADeviceWithoutDomainsPassesEveryCheck()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await CreateCAsync(client);

        // Adapter 3 is host-owned and adapter 5 is device A's: without domains neither yields an APQN.
        await OkAsync(AssignAsync(client, DeviceC, "adapters", "3"));
        var device = await OkAsync(AssignAsync(client, DeviceC, "adapters", "5"));

        Assert.Equal([3, 5], Ints(device["adapters"]));
        Assert.Empty(device["matrix"]!.AsArray());
    }

    [Theory]
    [InlineData("adapters", "64", "adapter", 63)]
    [InlineData("adapters", "255", "adapter", 63)]
    [InlineData("domains", "85", "domain", 84)]
    [InlineData("control-domains", "85", "control-domain", 84)]
    [InlineData("control-domains", "1000", "control-domain", 84)]
    public async Task AssigningAnIdAboveTheHostMaximumIsIdOutOfRange(string segment, string id, string kind, int max)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AssignAsync(client, DeviceB, segment, id);

        var problem = await AssertProblemAsync(response, 400, "/problems/id-out-of-range");
        Assert.Equal(kind, (string?)problem["kind"]);
        Assert.Equal([long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)], problem["ids"]!.AsArray().Select(i => (long)i!));
        Assert.Equal(max, (int?)problem["max"]);
        Assert.Equal("ENODEV", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("adapters", "64")]
    [InlineData("domains", "85")]
    [InlineData("control-domains", "85")]
    public async Task UnassigningAnIdAboveTheHostMaximumIsIdOutOfRange(string segment, string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await UnassignAsync(client, DeviceB, segment, id);

        var problem = await AssertProblemAsync(response, 400, "/problems/id-out-of-range");
        Assert.Equal("ENODEV", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("adapters", "abc")]
    [InlineData("adapters", "-1")]
    [InlineData("domains", "0x47")]
    [InlineData("domains", "99999999999999999999")]
    [InlineData("control-domains", "+4")]
    public async Task MalformedIdInTheAssignmentPathIsInvalidRequest(string segment, string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var put = await AssignAsync(client, DeviceB, segment, id);
        await AssertProblemAsync(put, 400, "/problems/invalid-request");
        using var delete = await UnassignAsync(client, DeviceB, segment, id);
        await AssertProblemAsync(delete, 400, "/problems/invalid-request");

        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("adapters")]
    [InlineData("domains")]
    [InlineData("control-domains")]
    public async Task AssignmentOnAnUnknownDeviceIsNotFoundAndOnAMalformedUuidInvalid(string segment)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var unknown = await AssignAsync(client, DeviceC, segment, "4");
        await AssertProblemAsync(unknown, 404, "/problems/not-found");
        using var unknownOutOfRange = await AssignAsync(client, DeviceC, segment, "200");
        await AssertProblemAsync(unknownOutOfRange, 404, "/problems/not-found");
        using var unassign = await UnassignAsync(client, DeviceC, segment, "4");
        await AssertProblemAsync(unassign, 404, "/problems/not-found");
        using var malformed = await AssignAsync(client, "nope", segment, "4");
        await AssertProblemAsync(malformed, 400, "/problems/invalid-request");
    }

    [Theory]
    [InlineData("adapters", "6")]
    [InlineData("domains", "4")]
    [InlineData("control-domains", "4")]
    public async Task AssigningAnIdAlreadyAssignedIsAnOkNoOp(string segment, string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AssignAsync(client, DeviceB, segment, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        Assert.Equal(1, (long?)(await ReadObjectAsync(response))["version"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("adapters", "3")]
    [InlineData("domains", "5")]
    [InlineData("control-domains", "9")]
    public async Task UnassigningAnIdNotAssignedIsAnOkNoOp(string segment, string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await UnassignAsync(client, DeviceB, segment, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (long?)(await ReadObjectAsync(response))["version"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task AssigningAHostOwnedAdapterIsApqnOwnedByHostListingTheApqnWithCex4Queue()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await AssignAsync(client, DeviceB, "adapters", "3");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-owned-by-host");
        Assert.Equal("EADDRNOTAVAIL", (string?)problem["errno"]);
        Assert.Equal(DeviceB, (string?)problem["mdev"]);
        var offender = Assert.Single(problem["offendingApqns"]!.AsArray())!;
        Assert.Equal("03.0004", (string?)offender["apqn"]);
        Assert.Equal(3, (int?)offender["adapter"]);
        Assert.Equal(4, (int?)offender["domain"]);
        Assert.Equal("cex4queue", (string?)offender["driver"]);
        Assert.Null(offender["mdev"]);
        Assert.Null(offender["guest"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task OwnedByHostListsEveryApqnOfTheFullMatrix()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await CreateCAsync(client);
        await OkAsync(AssignAsync(client, DeviceC, "adapters", "3"));
        await OkAsync(AssignAsync(client, DeviceC, "adapters", "7"));
        await OkAsync(AssignAsync(client, DeviceC, "adapters", "6"));
        var before = await StateAsync(client);

        using var response = await AssignAsync(client, DeviceC, "domains", "72");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-owned-by-host");
        Assert.Equal(["03.0048", "07.0048"], Apqns(problem["offendingApqns"]));
        Assert.All(problem["offendingApqns"]!.AsArray(), o => Assert.Equal("cex4queue", (string?)o!["driver"]));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task OwnershipCheckUsesTheMasksEvenWhereNoQueueExists()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        // Adapter 40 is not in the topology, but its apmask bit is set.
        using var response = await AssignAsync(client, DeviceB, "adapters", "40");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-owned-by-host");
        Assert.Equal(["28.0004"], Apqns(problem["offendingApqns"]));
    }

    [Fact]
    public async Task AssigningAnAdapterHeldByAnotherDeviceIsApqnConflictListingEveryApqnWithTheDeviceAndGuest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await OkAsync(AssignAsync(client, DeviceB, "domains", "71"));
        var before = await StateAsync(client);

        using var response = await AssignAsync(client, DeviceB, "adapters", "5");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-conflict");
        Assert.Equal("EADDRINUSE", (string?)problem["errno"]);
        Assert.Equal(DeviceB, (string?)problem["mdev"]);
        var offenders = problem["offendingApqns"]!.AsArray();
        Assert.Equal(["05.0004", "05.0047"], Apqns(offenders));
        Assert.All(offenders, o =>
        {
            Assert.Equal("vfio_ap", (string?)o!["driver"]);
            Assert.Equal(DeviceA, (string?)o["mdev"]);
            Assert.Equal("guest-a", (string?)o["guest"]);
        });
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task AssigningADomainThatOverlapsAnotherDeviceIsApqnConflict()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await CreateCAsync(client);
        await OkAsync(AssignAsync(client, DeviceC, "adapters", "6"));
        var before = await StateAsync(client);

        using var response = await AssignAsync(client, DeviceC, "domains", "4");

        var problem = await AssertProblemAsync(response, 409, "/problems/apqn-conflict");
        var offender = Assert.Single(problem["offendingApqns"]!.AsArray())!;
        Assert.Equal("06.0004", (string?)offender["apqn"]);
        Assert.Equal(DeviceB, (string?)offender["mdev"]);
        Assert.Null(offender["guest"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ControlDomainsAreSharedWithoutAnyCheck()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await OkAsync(AssignAsync(client, DeviceB, "control-domains", "71"));

        Assert.Equal([4, 71], Ints(device["controlDomains"]));
        Assert.Equal(["06.0004"], Strings(device["matrix"]));
        Assert.Equal(2, (long?)device["version"]);
        var control = await OkAsync(AssignAsync(client, DeviceB, "control-domains", "0"));
        Assert.Equal([0, 4, 71], Ints(control["controlDomains"]));
        var removed = await OkAsync(UnassignAsync(client, DeviceB, "control-domains", "4"));
        Assert.Equal([0, 71], Ints(removed["controlDomains"]));
    }

    [Fact]
    public async Task OverProvisioningAnAdapterOutsideTheTopologyIsAllowedAndStaysOutOfTheGuestMatrix()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-40")).Dispose();

        var device = await OkAsync(AssignAsync(client, DeviceB, "adapters", "40"));

        Assert.Equal([6, 40], Ints(device["adapters"]));
        Assert.Equal(["06.0004", "28.0004"], Strings(device["matrix"]));
        Assert.Equal(["06.0004"], Strings(device["guestMatrix"]));
        // The over-provisioned APQN counts for in_use.
        using var mask = await PutMaskAsync(client, "apmask", "+40");
        var problem = await AssertProblemAsync(mask, 409, "/problems/queues-in-use");
        Assert.Equal(["28.0004"], Apqns(problem["offendingApqns"]));
    }

    [Fact]
    public async Task OverProvisioningADomainThatIsNoHostUsageDomainIsAllowed()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await OkAsync(AssignAsync(client, DeviceB, "domains", "10"));

        Assert.Equal([4, 10], Ints(device["domains"]));
        Assert.Equal(["06.0004", "06.000a"], Strings(device["matrix"]));
        Assert.Equal(["06.0004"], Strings(device["guestMatrix"]));
    }

    [Fact]
    public async Task HotPluggingADomainIntoADeviceWithAGuestUpdatesTheGuestMatrixAtOnce()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await OkAsync(AssignAsync(client, DeviceA, "domains", "5"));

        Assert.Equal("guest-a", (string?)device["guest"]);
        Assert.Equal(["05.0004", "05.0005", "05.0047"], Strings(device["guestMatrix"]));
        var queue = await GetObjectAsync(client, "/api/queues/05.0005");
        Assert.Equal(DeviceA, (string?)queue["mdev"]);
        Assert.Equal("guest-a", (string?)queue["guest"]);
    }

    [Fact]
    public async Task HotUnplugOfTheOnlyAdapterEmptiesTheGuestMatrixAndFreesTheQueues()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await OkAsync(UnassignAsync(client, DeviceA, "adapters", "5"));

        Assert.Empty(device["adapters"]!.AsArray());
        Assert.Empty(device["matrix"]!.AsArray());
        Assert.Empty(device["guestMatrix"]!.AsArray());
        Assert.Equal("guest-a", (string?)device["guest"]);
        var queue = await GetObjectAsync(client, "/api/queues/05.0004");
        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Null(queue["mdev"]);
        Assert.Null(queue["guest"]);
        // The adapter can go back to the host now.
        using var mask = await PutMaskAsync(client, "apmask", "+5");
        Assert.Equal(HttpStatusCode.OK, mask.StatusCode);
    }

    [Fact]
    public async Task HotUnplugOfADomainShrinksTheGuestMatrix()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var device = await OkAsync(UnassignAsync(client, DeviceA, "domains", "71"));

        Assert.Equal([4], Ints(device["domains"]));
        Assert.Equal(["05.0004"], Strings(device["guestMatrix"]));
        Assert.Null((await GetObjectAsync(client, "/api/queues/05.0047"))["guest"]);
    }

    [Fact]
    public async Task DeconfiguringAnAdapterUnplugsItFromTheGuestMatrixButKeepsTheAssignment()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose();
        await CreateCAsync(client);
        await OkAsync(AssignAsync(client, DeviceC, "adapters", "7"));
        await OkAsync(AssignAsync(client, DeviceC, "domains", "5"));
        await OkAsync(AssignAsync(client, DeviceC, "domains", "6"));
        // Domain 84 is no host usage domain: in the matrix, filtered out of the guest matrix.
        var device = await OkAsync(AssignAsync(client, DeviceC, "domains", "84"));
        Assert.Equal(["07.0005", "07.0006", "07.0054"], Strings(device["matrix"]));
        Assert.Equal(["07.0005", "07.0006"], Strings(device["guestMatrix"]));

        using var deconfigure = await client.PutAsync("/api/adapters/7/configured", Json("""{"configured":false}"""));
        Assert.Equal(HttpStatusCode.OK, deconfigure.StatusCode);

        var after = await GetObjectAsync(client, $"/api/mdevs/{DeviceC}");
        Assert.Empty(after["guestMatrix"]!.AsArray());
        Assert.Equal(["07.0005", "07.0006", "07.0054"], Strings(after["matrix"]));
        Assert.Equal([7], Ints(after["adapters"]));
    }
}
