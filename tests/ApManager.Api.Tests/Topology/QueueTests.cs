using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Topology;

public class QueueTests
{
    private static string[] Apqns(JsonArray queues) => [.. queues.Select(q => (string)q!["apqn"]!)];

    [Fact]
    public async Task DemoHasTwentyFiveQueuesSortedByApqn()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/queues");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        var queues = await ReadArrayAsync(response);
        Assert.Equal(25, queues.Count);
        var expected = new[] { 3, 4, 5, 6, 7 }.SelectMany(a => new[] { 4, 5, 6, 71, 72 }.Select(d => $"{a:x2}.{d:x4}")).ToArray();
        Assert.Equal(expected, Apqns(queues));
        Assert.Equal(15, queues.Count(q => (string?)q!["driver"] == "cex4queue"));
        Assert.Equal(10, queues.Count(q => (string?)q!["driver"] == "vfio_ap"));
        Assert.All(queues, q => Assert.True((bool?)q!["online"]));
    }

    [Fact]
    public async Task QueueOfDeviceAShowsVfioApTheDeviceAndItsGuest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/queues/05.0004");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        var queue = await ReadObjectAsync(response);
        Assert.Equal("05.0004", (string?)queue["apqn"]);
        Assert.Equal(5, (int?)queue["adapter"]);
        Assert.Equal(4, (int?)queue["domain"]);
        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Equal(DeviceA, (string?)queue["mdev"]);
        Assert.Equal("guest-a", (string?)queue["guest"]);
        Assert.True((bool?)queue["online"]);
    }

    [Fact]
    public async Task QueueOfDeviceBWithoutGuestShowsTheDeviceAndNoGuest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var queue = await GetObjectAsync(client, "/api/queues/06.0004");

        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Equal(DeviceB, (string?)queue["mdev"]);
        Assert.Null(queue["guest"]);
    }

    [Fact]
    public async Task QueueOnVfioApOutsideEveryDeviceHasNoDeviceAndNoGuest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var queue = await GetObjectAsync(client, "/api/queues/05.0048");

        Assert.Equal("vfio_ap", (string?)queue["driver"]);
        Assert.Null(queue["mdev"]);
        Assert.Null(queue["guest"]);
    }

    [Fact]
    public async Task HostQueueIsOnCex4Queue()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var queue = await GetObjectAsync(client, "/api/queues/03.0047");

        Assert.Equal(3, (int?)queue["adapter"]);
        Assert.Equal(71, (int?)queue["domain"]);
        Assert.Equal("cex4queue", (string?)queue["driver"]);
        Assert.Null(queue["mdev"]);
    }

    [Fact]
    public async Task UpperCaseApqnIsAcceptedAndAnsweredInLowerCase()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Host:UsageDomains"] = "4,5,6,71,72,74" });
        using var client = app.CreateClient();

        var queue = await GetObjectAsync(client, "/api/queues/03.004A");

        Assert.Equal("03.004a", (string?)queue["apqn"]);
        Assert.Equal(74, (int?)queue["domain"]);
    }

    [Fact]
    public async Task UpperCaseApqnOfAMissingQueueIsNotFoundNotInvalid()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/queues/0A.0004");

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal("queue", (string?)problem["kind"]);
        Assert.Equal("0a.0004", (string?)problem["id"]);
    }

    [Theory]
    [InlineData("5.4")]
    [InlineData("05.0100")]
    [InlineData("05.ffff")]
    [InlineData("zz.0004")]
    [InlineData("05.004")]
    [InlineData("05.00047")]
    [InlineData("05-0004")]
    [InlineData("+5.0004")]
    [InlineData("050004")]
    public async Task MalformedApqnIsInvalidRequest(string apqn)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/queues/{apqn}");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["apqn"]);
    }

    [Theory]
    [InlineData("09.0004")]
    [InlineData("05.0007")]
    [InlineData("05.00ff")]
    public async Task AbsentQueueIsNotFound(string apqn)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/queues/{apqn}");

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal(apqn, (string?)problem["id"]);
    }

    [Theory]
    [InlineData("adapter=5", new[] { "05.0004", "05.0005", "05.0006", "05.0047", "05.0048" })]
    [InlineData("domain=71", new[] { "03.0047", "04.0047", "05.0047", "06.0047", "07.0047" })]
    public async Task QueuesFilterByAdapterAndByDecimalDomain(string filter, string[] expected)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var queues = await GetArrayAsync(client, $"/api/queues?{filter}");

        Assert.Equal(expected, Apqns(queues));
    }

    [Fact]
    public async Task QueuesFilterByDriver()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var vfio = await GetArrayAsync(client, "/api/queues?driver=vfio_ap");
        var cex = await GetArrayAsync(client, "/api/queues?driver=cex4queue");
        var none = await GetArrayAsync(client, "/api/queues?driver=none");

        Assert.Equal(
            ["05.0004", "05.0005", "05.0006", "05.0047", "05.0048", "06.0004", "06.0005", "06.0006", "06.0047", "06.0048"],
            Apqns(vfio));
        Assert.Equal(15, cex.Count);
        Assert.All(cex, q => Assert.Equal("cex4queue", (string?)q!["driver"]));
        Assert.Empty(none);
    }

    [Fact]
    public async Task QueuesFilterByMatrixDeviceInEitherCase()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var a = await GetArrayAsync(client, $"/api/queues?mdev={DeviceA.ToUpperInvariant()}");
        var b = await GetArrayAsync(client, $"/api/queues?mdev={DeviceB}");
        var other = await GetArrayAsync(client, "/api/queues?mdev=00000000-0000-4000-8000-000000000000");

        Assert.Equal(["05.0004", "05.0047"], Apqns(a));
        Assert.Equal(["06.0004"], Apqns(b));
        Assert.Empty(other);
    }

    [Fact]
    public async Task QueueFiltersCombine()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var one = await GetArrayAsync(client, "/api/queues?adapter=5&domain=71");
        var vfioDomain4 = await GetArrayAsync(client, "/api/queues?domain=4&driver=vfio_ap");
        var deviceA = await GetArrayAsync(client, $"/api/queues?mdev={DeviceA}&domain=4&adapter=5&driver=vfio_ap");
        var nothing = await GetArrayAsync(client, $"/api/queues?mdev={DeviceA}&adapter=6");

        Assert.Equal(["05.0047"], Apqns(one));
        Assert.Equal(["05.0004", "06.0004"], Apqns(vfioDomain4));
        Assert.Equal(["05.0004"], Apqns(deviceA));
        Assert.Empty(nothing);
    }

    [Fact]
    public async Task FilterOnAnAdapterWithoutQueuesIsEmpty()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        Assert.Empty(await GetArrayAsync(client, "/api/queues?adapter=200"));
        Assert.Empty(await GetArrayAsync(client, "/api/queues?domain=0"));
    }

    [Theory]
    [InlineData("adapter", "abc")]
    [InlineData("adapter", "300")]
    [InlineData("adapter", "-1")]
    [InlineData("adapter", "")]
    [InlineData("domain", "0x47")]
    [InlineData("domain", "256")]
    [InlineData("driver", "zcrypt")]
    [InlineData("driver", "VFIO_AP")]
    [InlineData("mdev", "not-a-uuid")]
    [InlineData("mdev", "0b1f7c3e2d4a4e559f1d7a0c2b9e6d11")]
    [InlineData("apqn", "05.0004")]
    public async Task BadQueueFilterIsInvalidQueryNamingIt(string parameter, string value)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/queues?{parameter}={Uri.EscapeDataString(value)}");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-query");
        Assert.Equal(parameter, (string?)problem["parameter"]);
        Assert.Equal(value, (string?)problem["value"]);
    }

    [Fact]
    public async Task RepeatedQueueFilterIsInvalidQuery()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/queues?adapter=5&adapter=6");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-query");
        Assert.Equal("adapter", (string?)problem["parameter"]);
    }
}
