using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Bus;

public class BusReadTests
{
    [Fact]
    public async Task DemoBusShowsBothMasksInKernelFormatWithMaximaAndVersionOne()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/bus");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var bus = await ReadObjectAsync(response);
        Assert.Equal("0xf9" + new string('f', 62), (string?)bus["apmask"]);
        Assert.Equal(MaskWithout(5, 6), (string?)bus["apmask"]);
        Assert.Equal(AllOnes, (string?)bus["aqmask"]);
        Assert.Equal(63, (int?)bus["maxAdapterId"]);
        Assert.Equal(84, (int?)bus["maxDomainId"]);
        Assert.Equal(1, (long?)bus["version"]);
    }

    [Fact]
    public async Task BusSendsItsVersionAsAStrongETag()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/bus");

        var etag = ETag(response);
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal("\"1\"", etag.Tag);
    }

    [Fact]
    public async Task SeedNoneStartsWithBothMasksAllOnes()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Seed"] = "none" });
        using var client = app.CreateClient();

        var bus = await GetObjectAsync(client, "/api/bus");

        Assert.Equal(AllOnes, (string?)bus["apmask"]);
        Assert.Equal(AllOnes, (string?)bus["aqmask"]);
        Assert.Empty(await GetArrayAsync(client, "/api/mdevs"));
        Assert.All(await GetArrayAsync(client, "/api/queues"), q => Assert.Equal("cex4queue", (string?)q!["driver"]));
    }

    [Fact]
    public async Task UnknownQueryParameterOnBusReadIsInvalidQuery()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/bus?verbose=1");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-query");
        Assert.Equal("verbose", (string?)problem["parameter"]);
        Assert.Equal("1", (string?)problem["value"]);
        Assert.Equal("/api/bus", (string?)problem["instance"]);
    }
}
