using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Topology;

public class DriverTests
{
    [Fact]
    public async Task DemoDriversCountFifteenHostQueuesAndTenVfioApQueues()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/drivers");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var drivers = await ReadArrayAsync(response);
        Assert.Equal(2, drivers.Count);
        var cex = drivers.Single(d => (string?)d!["name"] == "cex4queue")!;
        var vfio = drivers.Single(d => (string?)d!["name"] == "vfio_ap")!;
        Assert.True((bool?)cex["default"]);
        Assert.Equal(15, (int?)cex["queues"]);
        Assert.False((bool?)vfio["default"]);
        Assert.Equal(10, (int?)vfio["queues"]);
    }

    [Fact]
    public async Task DriverCountsFollowAMaskChange()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose();

        var drivers = await GetArrayAsync(client, "/api/drivers");

        Assert.Equal(10, (int?)drivers.Single(d => (string?)d!["name"] == "cex4queue")!["queues"]);
        Assert.Equal(15, (int?)drivers.Single(d => (string?)d!["name"] == "vfio_ap")!["queues"]);
    }

    [Fact]
    public async Task UnknownQueryParameterOnDriversIsInvalidQuery()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/drivers?name=vfio_ap");

        await AssertProblemAsync(response, 400, "/problems/invalid-query");
    }
}
